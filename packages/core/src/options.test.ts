import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EsiOptionError } from './esi-errors.js';
import { ESIKIT_VERSION, resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('fills the documented defaults', () => {
    const o = resolveOptions({});
    expect(o.origin).toBe('https://esi.evetech.net');
    expect(o.tenant).toBe('tranquility');
    expect(o.connectTimeout).toBe(5000);
    expect(o.readTimeout).toBe(30_000);
    expect(o.retries).toEqual({ connection: 3, server: 3, backoffFactor: 0.2, jitter: true });
    expect(o.connections).toBe(10);
    expect(o.pageConcurrency).toBe(8);
    expect(o.userAgentHeader).toBe('user-agent');
    expect(o.missingAppInfo).toBe(true);
    expect(o.compatibilityDate.default).toBeUndefined();
  });

  it('builds the User-Agent CCP asks for', () => {
    const o = resolveOptions({
      appInfo: { name: 'MyApp', version: '1.2.3', url: 'https://github.com/me/app' },
      contactEmail: 'me@example.com',
    });
    expect(o.userAgent).toBe(
      `MyApp/1.2.3 (me@example.com; +https://github.com/me/app) esikit/${ESIKIT_VERSION}`,
    );
    expect(o.missingAppInfo).toBe(false);
    expect(resolveOptions({ userAgentHeader: 'X-User-Agent' }).userAgentHeader).toBe(
      'x-user-agent',
    );
    expect(resolveOptions({}).userAgent).toBe(`esikit/${ESIKIT_VERSION}`);
  });

  it('keeps ESIKIT_VERSION equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(ESIKIT_VERSION).toBe(pkg.version);
  });

  it('reads per-tag and per-operation compatibility dates', () => {
    const o = resolveOptions({
      compatibilityDate: {
        default: '2025-12-16',
        tags: { Market: '2020-01-01' },
        operations: { GetStatus: '2024-01-01' },
      },
    });
    expect(o.compatibilityDate.default).toBe('2025-12-16');
    expect(o.compatibilityDate.tags.get('Market')).toBe('2020-01-01');
    expect(o.compatibilityDate.operations.get('GetStatus')).toBe('2024-01-01');
  });

  it.each([
    [{ baseUrl: 'esi.evetech.net' }, 'baseUrl', '"esi.evetech.net"'],
    [{ baseUrl: 'ftp://x' }, 'baseUrl', '"ftp://x"'],
    [{ compatibilityDate: '2025-13-01' }, 'compatibilityDate', '"2025-13-01"'],
    [
      { compatibilityDate: { tags: { Market: 'soon' } } },
      'compatibilityDate.tags.Market',
      '"soon"',
    ],
    [{ appInfo: { name: 'My App', version: '1' } }, 'appInfo.name', '"My App"'],
    [{ appInfo: { name: 'App', version: '' } }, 'appInfo.version', '""'],
    [{ appInfo: { name: 'App', version: '1', url: 'nope' } }, 'appInfo.url', '"nope"'],
    [{ contactEmail: 'not an email' }, 'contactEmail', '"not an email"'],
    [{ userAgentHeader: 'UA' }, 'userAgentHeader', '"UA"'],
    [{ timeouts: { read: 0 } }, 'timeouts.read', '0'],
    [{ timeouts: { connect: -1 } }, 'timeouts.connect', '-1'],
    [{ retries: { server: 1.5 } }, 'retries.server', '1.5'],
    [{ retries: { backoffFactor: -1 } }, 'retries.backoffFactor', '-1'],
    [{ retries: { jitter: 'yes' } }, 'retries.jitter', '"yes"'],
    [{ connections: 0 }, 'connections', '0'],
    [{ pageConcurrency: 0 }, 'pageConcurrency', '0'],
    [{ cache: {} }, 'cache', '{}'],
    [{ logger: () => undefined }, 'logger', 'a function'],
    [{ clock: 5 }, 'clock', '5'],
    [{ specFile: '' }, 'specFile', '""'],
    [{ tenant: 'a b' }, 'tenant', '"a b"'],
    [{ dispatcher: {} }, 'dispatcher', '{}'],
    [{ errorLimitThreshold: -1 }, 'errorLimitThreshold', '-1'],
  ])('rejects %j naming the option and the value', (options, option, shown) => {
    let error: unknown;
    try {
      resolveOptions(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EsiOptionError);
    expect((error as EsiOptionError).code).toBe('ESIKIT_INVALID_OPTION');
    expect((error as EsiOptionError).option).toBe(option);
    expect((error as Error).message).toContain(`Invalid option ${option}:`);
    expect((error as Error).message).toContain(`got ${shown}`);
  });
});
