import { describe, expect, it } from 'vitest';
import { GatewayConfigError, loadConfig } from './config.js';

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof GatewayConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('with no EVE application configured, runs simulated with defaults', () => {
    const c = loadConfig({});
    expect(c.eve).toBeUndefined();
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.sessionSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('with a complete EVE application, talks to the real ESI and takes its origin from the callback', () => {
    const c = loadConfig({
      EVE_CLIENT_ID: 'abc',
      EVE_CLIENT_SECRET: 'shh-secret-value',
      EVE_CALLBACK_URL: 'https://esi.example.com/sso/callback',
      ESIKIT_CONTACT_EMAIL: 'ops@example.com',
      SESSION_SECRET: 'x'.repeat(40),
      DATABASE_URL: 'postgresql://u@db/esikit',
    });
    expect(c.eve).toEqual({
      clientId: 'abc',
      clientSecret: 'shh-secret-value',
      callbackUrl: 'https://esi.example.com/sso/callback',
      contactEmail: 'ops@example.com',
    });
    expect(c.publicUrl).toBe('https://esi.example.com');
    expect(c.databaseUrl).toBe('postgresql://u@db/esikit');
  });

  it('lists every problem at once, one clear message each, never echoing a secret', () => {
    const list = problems({
      EVE_CLIENT_SECRET: 'super-secret-client-secret',
      EVE_CALLBACK_URL: 'ftp://x/cb',
      PORT: '99999',
      SESSION_SECRET: 'short',
      DATABASE_URL: 'mysql://nope',
      ESIKIT_SCOPES: 'esi-wallet.read_character_wallet.v1 wallet',
      ESIKIT_HOUSEKEEPING_INTERVAL_S: '-5',
      ESIKIT_ANSWER_CACHE_MB: 'lots',
      LOG_LEVEL: 'loud',
      ESIKIT_DB_MIGRATE: 'maybe',
    });
    expect(list).toEqual([
      'PORT must be an integer from 0 to 65535, got "99999"',
      'EVE_CLIENT_ID is missing (EVE_CLIENT_SECRET or EVE_CALLBACK_URL is set)',
      'EVE_CALLBACK_URL must be an http(s) URL ending in /sso/callback, got "ftp://x/cb"',
      'ESIKIT_CONTACT_EMAIL is missing: ESI needs a contact e-mail in the User-Agent',
      'SESSION_SECRET must be at least 32 characters, got 5',
      'DATABASE_URL must be a postgresql:// URL',
      'ESIKIT_DB_MIGRATE must be 1 or 0, got "maybe"',
      'ESIKIT_SCOPES: "wallet" is not an EVE SSO scope (e.g. esi-skills.read_skills.v1)',
      'ESIKIT_HOUSEKEEPING_INTERVAL_S must be a whole number of seconds, got "-5"',
      'ESIKIT_ANSWER_CACHE_MB must be a whole number of megabytes from 0 to 4096, got "lots"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]);
    expect(list.join('\n')).not.toContain('super-secret-client-secret');
    expect(list.join('\n')).not.toContain('short');
  });

  it('needs a session secret and a contact e-mail with a real EVE application', () => {
    expect(
      problems({
        EVE_CLIENT_ID: 'abc',
        EVE_CLIENT_SECRET: 'secret',
        EVE_CALLBACK_URL: 'https://esi.example.com/sso/callback',
        ESIKIT_CONTACT_EMAIL: 'not-an-email',
      }),
    ).toEqual([
      'ESIKIT_CONTACT_EMAIL must be an e-mail address, got "not-an-email"',
      'SESSION_SECRET is missing: a real EVE application needs a stable cookie secret',
    ]);
  });

  it('refuses a PUBLIC_URL that is not an origin and both database settings at once', () => {
    expect(
      problems({
        PUBLIC_URL: 'https://x.example/app',
        DATABASE_URL: 'postgresql://a@b/c',
        ESIKIT_DB_DIR: '/tmp/x',
      }),
    ).toEqual([
      'PUBLIC_URL must be an http(s) origin such as https://esi.example.com, got "https://x.example/app"',
      'ESIKIT_DB_DIR and DATABASE_URL are both set: give one of them',
    ]);
  });

  it('keeps the embedded database template where ESIKIT_DB_TEMPLATE_DIR or XDG_CACHE_HOME say', () => {
    // Unset: @esikit/mikro-orm's default, under the XDG_CACHE_HOME the gateway hands it.
    expect(loadConfig({}).dbTemplateDir).toBeUndefined();
    expect(loadConfig({ XDG_CACHE_HOME: '/var/cache/me' })).toMatchObject({
      dbTemplateDir: undefined,
      cacheHome: '/var/cache/me',
    });
    expect(
      loadConfig({ ESIKIT_DB_TEMPLATE_DIR: '/srv/t', XDG_CACHE_HOME: '/var/cache/me' })
        .dbTemplateDir,
    ).toBe('/srv/t');
    expect(loadConfig({ ESIKIT_DB_TEMPLATE_DIR: 'off' }).dbTemplateDir).toBe(false);
    expect(
      problems({ ESIKIT_DB_TEMPLATE_DIR: 'templates', DATABASE_URL: 'postgresql://a@b/c' }),
    ).toEqual([
      'ESIKIT_DB_TEMPLATE_DIR must be an absolute directory path or off, got "templates"',
      'ESIKIT_DB_TEMPLATE_DIR is for the embedded database, and DATABASE_URL is set: give one of them',
    ]);
  });
});
