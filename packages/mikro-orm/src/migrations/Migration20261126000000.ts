import { Migration } from '@mikro-orm/migrations';

/** Tokens (scopes indexed with GIN), logins in progress and refresh leases (unlogged). */
export class Migration20261126000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "esikit_token" ("id" bigserial primary key, "created" bigint not null, "updated" bigint not null, "version" int not null default 1, "access_token" text not null, "refresh_token" text null, "character_id" bigint not null, "character_name" text not null, "token_type" text not null, "owner_hash" text not null, "sso_version" int not null, "user_id" text null, "scopes" text[] not null, "expires_at" bigint not null);`,
    );
    this.addSql(
      `create index "esikit_token_character_id_index" on "esikit_token" ("character_id");`,
    );
    this.addSql(`create index "esikit_token_user_id_index" on "esikit_token" ("user_id");`);
    this.addSql(`create index "esikit_token_expires_at_index" on "esikit_token" ("expires_at");`);
    this.addSql(`create index "esikit_token_scopes_gin" on "esikit_token" using gin ("scopes");`);
    this.addSql(
      `create table "esikit_callback_redirect" ("state" text not null, "session_key" text not null, "return_url" text null, "code_verifier" text null, "scopes" text[] not null, "user_id" text null, "created" bigint not null, constraint "esikit_callback_redirect_pkey" primary key ("state"));`,
    );
    this.addSql(
      `create index "esikit_callback_redirect_created_index" on "esikit_callback_redirect" ("created");`,
    );
    // Unlogged: a lease needs no durability (after a server crash every lease is free again,
    // and writes stay fenced by the token's version), and skipping the WAL flush makes taking
    // and releasing one about as cheap as a read.
    this.addSql(
      `create unlogged table "esikit_refresh_lease" ("key" text not null, "holder" text not null, "expires_at" timestamptz not null, "fence" bigint not null, constraint "esikit_refresh_lease_pkey" primary key ("key"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "esikit_refresh_lease" cascade;`);
    this.addSql(`drop table if exists "esikit_callback_redirect" cascade;`);
    this.addSql(`drop table if exists "esikit_token" cascade;`);
  }
}
