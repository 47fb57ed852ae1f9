// Error codes as one union, and the HTTP status (and Retry-After) adapters should answer with.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { harnessPerTest, tick } from '../test/helpers.js';
import type { EsikitError } from './index.js';
import {
  EsiAbortedError,
  EsiErrorLimitedError,
  EsiHttpError,
  EsiIncompleteResultError,
  EsiMissingScopeError,
  EsiNetworkError,
  EsiOptionError,
  EsiRateLimitedError,
  EsiResponseError,
  EsiTimeoutError,
  EsiTokenRequiredError,
  EsiValidationError,
  suggestedHttpStatus,
  suggestedRetryAfter,
  type EsiErrorCode,
  type EsikitErrorCode,
} from './index.js';
import {
  SsoInvalidGrantError,
  SsoLoginDeniedError,
  SsoOptionError,
  SsoProtocolError,
  SsoRejectedError,
  SsoStateError,
  SsoUnavailableError,
  TokenError,
  TokenVerificationError,
  type SsoErrorCode,
} from './sso/index.js';

const start = harnessPerTest();
const NO_ALLIANCE = 99_000_001;

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

describe('error codes', () => {
  it('are one union of the client and SSO codes, and type EsikitError.code', () => {
    expectTypeOf<EsikitErrorCode>().toEqualTypeOf<EsiErrorCode | SsoErrorCode>();
    expectTypeOf<EsikitError['code']>().toEqualTypeOf<EsikitErrorCode>();
    expectTypeOf<'ESIKIT_SSO_INVALID_GRANT'>().toMatchTypeOf<EsikitErrorCode>();
  });

  it('EsiTokenRequiredError carries the scope to ask for', async () => {
    const h = await start();
    const e = await failure(
      h.esi.request('GetCharactersCharacterIdWallet', { character_id: 1 }, {} as never).result(),
    );
    expect(e).toBeInstanceOf(EsiTokenRequiredError);
    expect(e).toMatchObject({
      scope: 'esi-wallet.read_character_wallet.v1',
      operation: 'GetCharactersCharacterIdWallet',
    });
    expect(suggestedHttpStatus(e)).toBe(401);
  });
});

describe('suggestedHttpStatus from real failures against the simulator', () => {
  it('400 for validation, 403 for a missing scope, 404 passed on from ESI', async () => {
    const h = await start();
    expect(
      suggestedHttpStatus(
        await failure(h.esi.request('GetUniverseTypesTypeId', { type_id: -1.5 }).result()),
      ),
    ).toBe(400);
    const t = await h.token(0, ['esi-skills.read_skills.v1']);
    const scope = await failure(
      h.esi
        .request(
          'GetCharactersCharacterIdWallet',
          { character_id: t.characterId },
          { token: t.accessToken },
        )
        .result(),
    );
    expect(scope).toBeInstanceOf(EsiMissingScopeError);
    expect(suggestedHttpStatus(scope)).toBe(403);
    const missing = await failure(
      h.esi.request('GetAlliancesAllianceId', { alliance_id: NO_ALLIANCE }).result(),
    );
    expect(missing).toMatchObject({ status: 404 });
    expect(suggestedHttpStatus(missing)).toBe(404);
    expect(suggestedRetryAfter(missing)).toBeUndefined();
  });

  it('502 when ESI keeps failing, 504 on a timeout, 499 when the caller aborts', async () => {
    const h = await start({
      faults: {
        failNext: { count: 1, with: 503, operationId: 'GetStatus' },
        routes: { GetUniverseRegions: { latencyMs: 400 } },
      },
    });
    const down = await failure(h.esi.request('GetStatus').result({ retries: { server: 0 } }));
    expect(down).toBeInstanceOf(EsiHttpError);
    expect(suggestedHttpStatus(down)).toBe(502);
    const slow = await failure(
      h.esi.request('GetUniverseRegions').result({ timeout: 50, retries: { connection: 0 } }),
    );
    expect(slow).toBeInstanceOf(EsiTimeoutError);
    expect(suggestedHttpStatus(slow)).toBe(504);
    const controller = new AbortController();
    const call = h.esi.request('GetUniverseRegions').result({ signal: controller.signal });
    await tick(50);
    controller.abort();
    const aborted = await failure(call);
    expect(aborted).toBeInstanceOf(EsiAbortedError);
    expect(suggestedHttpStatus(aborted)).toBe(499);
  });

  it('429 with the seconds until the error window resets after a 420', async () => {
    const h = await start(
      { limits: { errorLimit: 1, errorWindowSeconds: 60 } },
      { errorLimitThreshold: 0 },
    );
    await failure(h.esi.request('GetAlliancesAllianceId', { alliance_id: NO_ALLIANCE }).result());
    const e = await failure(h.esi.request('GetUniverseRegions').result({ retries: { server: 0 } }));
    expect(e).toBeInstanceOf(EsiErrorLimitedError);
    expect(suggestedHttpStatus(e)).toBe(429);
    const now = h.sim.clock.now();
    const seconds = suggestedRetryAfter(e, now)!;
    expect(seconds).toBe(Math.ceil(((e as EsiErrorLimitedError).resetAt - now) / 1000));
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);
    h.sim.clock.advance(60_000);
  });
});

describe('suggestedHttpStatus for every kind', () => {
  it('maps each error class', () => {
    const cases: [unknown, number, number?][] = [
      [new EsiValidationError('GetX', 'id', 'is required'), 400],
      [new EsiOptionError('timeout', -1, 'a positive number'), 500],
      [new EsiHttpError('GetX', 400, undefined, {}), 400],
      [new EsiHttpError('GetX', 401, undefined, {}), 401],
      [new EsiHttpError('GetX', 403, undefined, {}), 403],
      [new EsiHttpError('GetX', 404, undefined, {}), 404],
      [new EsiHttpError('GetX', 422, undefined, {}), 422],
      [new EsiHttpError('GetX', 500, undefined, {}), 502],
      [new EsiHttpError('GetX', 503, undefined, {}), 502],
      [new EsiMissingScopeError('GetX', 'esi-a.v1', 403), 403],
      [new EsiTokenRequiredError('GetX', 'esi-a.v1'), 401],
      [new EsiRateLimitedError('GetX', 'char-wallet', 7), 429, 7],
      [new EsiErrorLimitedError('GetX', 1_000_000 + 12_500), 429, 13],
      [new EsiIncompleteResultError('GetX', 3, 'pages changed'), 502],
      [new EsiTimeoutError('GetX', 50), 504],
      [new EsiAbortedError('GetX', undefined), 499],
      [new EsiNetworkError('GetX', new Error('ECONNRESET')), 502],
      [new EsiResponseError('GetX', 'ESIKIT_BAD_RESPONSE', 'not JSON'), 502],
      [new EsiResponseError('GetX', 'ESIKIT_UNSAFE_INTEGER', 'too big'), 502],
      [new SsoOptionError('bad'), 500],
      [new SsoUnavailableError('network', 'down'), 502],
      [new SsoUnavailableError('status', 'down', { status: 503 }), 502],
      [new SsoUnavailableError('timeout', 'slow'), 504],
      [new SsoProtocolError('bad json'), 502],
      [new SsoRejectedError('invalid_client', 401, 'rejected'), 502],
      [new SsoInvalidGrantError('dead'), 401],
      [new TokenVerificationError('signature', 'bad'), 401],
      [new SsoStateError('unknown state'), 400],
      [new SsoLoginDeniedError('access_denied', 'cancelled'), 403],
      [new TokenError('ESIKIT_TOKEN_NOT_FOUND', 'gone'), 401],
      [new TokenError('ESIKIT_TOKEN_CONFLICT', 'lost'), 409],
      [new TokenError('ESIKIT_TOKEN_EXPIRED', 'expired'), 401],
      [new TokenError('ESIKIT_TOKEN_DECRYPT_FAILED', 'tampered'), 500],
      [new TokenError('ESIKIT_TOKEN_STORE_FAILED', 'redis down'), 503],
      [new Error('anything else'), 500],
      ['not even an error', 500],
    ];
    for (const [error, status, retryAfter] of cases) {
      const label = error instanceof Error ? `${error.name} ${error.message}` : String(error);
      expect(suggestedHttpStatus(error), label).toBe(status);
      expect(suggestedRetryAfter(error, 1_000_000), label).toBe(retryAfter);
    }
  });
});
