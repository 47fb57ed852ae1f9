import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261126000000 } from './Migration20261126000000.js';

/**
 * This package's migrations, in order, for MikroORM's `migrations.migrationsList`: listed, not
 * globbed, so they run the same from the TypeScript sources and from dist.
 *
 * @example
 * await MikroORM.init({ ...config, migrations: { tableName: 'esikit_migrations', migrationsList: esikitMigrations } });
 */
export const esikitMigrations: readonly MigrationObject[] = [
  { name: 'Migration20261126000000', class: Migration20261126000000 },
];
