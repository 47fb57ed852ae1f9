// Every core error code maps to a tRPC code, and the formatter helper puts esiCode,
// operationId, retryAfter and the parameter in shape.data; then the mappings ESI itself causes,
// over real HTTP against the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
} from '@esikit/core';
import { SsoUnavailableError, TokenForbiddenError } from '@esikit/core/sso';
import { TRPCError } from '@trpc/server';
import { failure, startApp, type TestApp, closeClean } from '../test/app.js';
import { esiErrorData, esiErrorFormatter, EsiTRPCError, toTRPCError } from './index.js';

const NOW = Date.UTC(2026, 0, 1);

describe('toTRPCError', () => {
  const cases: [string, unknown, string][] = [
    [
      'validation',
      new EsiValidationError('GetStatus', 'region_id', 'must be an integer'),
      'BAD_REQUEST',
    ],
    [
      'no token',
      new EsiTokenRequiredError('GetX', 'esi-wallet.read_character_wallet.v1'),
      'UNAUTHORIZED',
    ],
    [
      'missing scope',
      new EsiMissingScopeError('GetX', 'esi-wallet.read_character_wallet.v1'),
      'FORBIDDEN',
    ],
    ['other character', new TokenForbiddenError('not-your-character', 1, undefined), 'FORBIDDEN'],
    ['404', new EsiHttpError('GetX', 404, { error: 'not found' }, {}), 'NOT_FOUND'],
    ['410', new EsiHttpError('GetX', 410, { error: 'gone' }, {}), 'NOT_FOUND'],
    ['409', new EsiHttpError('GetX', 409, undefined, {}), 'CONFLICT'],
    ['422', new EsiHttpError('GetX', 422, undefined, {}), 'UNPROCESSABLE_CONTENT'],
    ['500', new EsiHttpError('GetX', 500, undefined, {}), 'BAD_GATEWAY'],
    ['503', new EsiHttpError('GetX', 503, undefined, {}), 'BAD_GATEWAY'],
    ['network', new EsiNetworkError('GetX', new Error('ECONNRESET')), 'BAD_GATEWAY'],
    [
      'bad response',
      new EsiResponseError('GetX', 'ESIKIT_BAD_RESPONSE', 'not JSON'),
      'BAD_GATEWAY',
    ],
    ['incomplete', new EsiIncompleteResultError('GetX', 3, 'pages changed'), 'BAD_GATEWAY'],
    ['SSO down', new SsoUnavailableError('network', 'SSO unreachable'), 'BAD_GATEWAY'],
    ['timeout', new EsiTimeoutError('GetX', 5000), 'TIMEOUT'],
    ['aborted', new EsiAbortedError('GetX', new Error('gone')), 'CLIENT_CLOSED_REQUEST'],
    ['option', new EsiOptionError('timeout', -1, 'a positive number'), 'INTERNAL_SERVER_ERROR'],
    ['not ours', new Error('boom'), 'INTERNAL_SERVER_ERROR'],
  ];
  it.each(cases)('%s', (_name, error, code) => {
    const mapped = toTRPCError(error, { operationId: 'GetX', now: NOW });
    expect(mapped).toBeInstanceOf(TRPCError);
    expect(mapped.code).toBe(code);
    expect(mapped.cause).toBe(error);
    expect(esiErrorData(mapped).operationId).toBe('GetX');
  });

  it('420 and 429 are TOO_MANY_REQUESTS with retryAfter', () => {
    const limited = toTRPCError(new EsiErrorLimitedError('GetX', NOW + 42_000), { now: NOW });
    expect(limited.code).toBe('TOO_MANY_REQUESTS');
    expect(esiErrorData(limited)).toMatchObject({
      esiCode: 'ESIKIT_ERROR_LIMITED',
      retryAfter: 42,
    });
    const rated = toTRPCError(new EsiRateLimitedError('GetX', 'char-wallet', 7), { now: NOW });
    expect(rated.code).toBe('TOO_MANY_REQUESTS');
    expect(esiErrorData(rated)).toMatchObject({ esiCode: 'ESIKIT_RATE_LIMITED', retryAfter: 7 });
  });

  it('keeps a TRPCError as it is, and the formatter adds the ESI fields', () => {
    const own = new TRPCError({ code: 'NOT_FOUND' });
    expect(toTRPCError(own)).toBe(own);
    const shape = { message: 'x', code: -32600, data: { code: 'BAD_REQUEST', httpStatus: 400 } };
    const mapped = toTRPCError(new EsiValidationError('GetX', 'region_id', 'is required'), {
      operationId: 'GetX',
    });
    expect(mapped).toBeInstanceOf(EsiTRPCError);
    expect(esiErrorFormatter({ shape, error: mapped }).data).toEqual({
      code: 'BAD_REQUEST',
      httpStatus: 400,
      esiCode: 'ESIKIT_VALIDATION',
      operationId: 'GetX',
      retryAfter: null,
      parameter: 'region_id',
    });
    expect(esiErrorData(own)).toEqual({
      esiCode: null,
      operationId: null,
      retryAfter: null,
      parameter: null,
    });
  });
});

describe('errors ESI causes, over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp(
      {},
      { timeouts: { read: 300 }, retries: { server: 1, connection: 0, backoffFactor: 0.001 } },
    );
  });
  afterAll(() => closeClean(app));

  it('5xx → BAD_GATEWAY', async () => {
    app.sim.setFaults({ failNext: { count: 2, with: 502, operationId: 'GetUniverseRaces' } });
    const e = await failure(app.client(undefined).esi.universe.getUniverseRaces.query());
    app.sim.setFaults({});
    expect(e.data).toMatchObject({
      code: 'BAD_GATEWAY',
      esiCode: 'ESIKIT_HTTP',
      operationId: 'GetUniverseRaces',
    });
  });

  it('a dropped connection → BAD_GATEWAY', async () => {
    app.sim.setFaults({
      failNext: { count: 2, with: 'reset', operationId: 'GetUniverseBloodlines' },
    });
    const e = await failure(app.client(undefined).esi.universe.getUniverseBloodlines.query());
    app.sim.setFaults({});
    expect(e.data).toMatchObject({ code: 'BAD_GATEWAY', esiCode: 'ESIKIT_NETWORK' });
  });

  it('ESI 404 → NOT_FOUND', async () => {
    const e = await failure(
      app.client(undefined).esi.alliance.getAlliancesAllianceId.query({ alliance_id: 1 }),
    );
    expect(e.data).toMatchObject({
      code: 'NOT_FOUND',
      esiCode: 'ESIKIT_HTTP',
      operationId: 'GetAlliancesAllianceId',
    });
  });

  it('no answer in time → TIMEOUT', async () => {
    // The simulator's latency waits on its frozen clock, so the answer never comes in time.
    app.sim.setFaults({ routes: { GetUniverseFactions: { latencyMs: 60_000 } } });
    const e = await failure(app.client(undefined).esi.universe.getUniverseFactions.query());
    app.sim.setFaults({});
    expect(e.data).toMatchObject({ code: 'TIMEOUT', esiCode: 'ESIKIT_TIMEOUT' });
  });
});
