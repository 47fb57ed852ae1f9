import { describe, expect, it } from 'vitest';
import {
  EsiAbortedError,
  EsiErrorLimitedError,
  EsiHttpError,
  EsiMissingScopeError,
  EsiNetworkError,
  EsiRateLimitedError,
  EsiTimeoutError,
  EsiTokenRequiredError,
  EsiValidationError,
} from '@esikit/core';
import { SsoInvalidGrantError, TokenError, TokenForbiddenError } from '@esikit/core/sso';
import { toGraphQLError } from './errors.js';

describe('toGraphQLError', () => {
  it.each([
    [
      new EsiValidationError('GetX', 'region_id', 'must be an integer'),
      { code: 'BAD_USER_INPUT', argument: 'region_id' },
    ],
    [
      new EsiTokenRequiredError('GetX', 'esi-wallet.read_character_wallet.v1'),
      { code: 'UNAUTHENTICATED', scope: 'esi-wallet.read_character_wallet.v1' },
    ],
    [
      new TokenForbiddenError('missing-scope', 90000001, 'esi-skills.read_skills.v1'),
      { code: 'FORBIDDEN', scope: 'esi-skills.read_skills.v1', reason: 'missing-scope' },
    ],
    [
      new TokenForbiddenError('not-your-character', 90000001, undefined),
      { code: 'FORBIDDEN', reason: 'not-your-character' },
    ],
    [
      new EsiHttpError('GetX', 404, { error: 'nope' }, {}),
      { code: 'NOT_FOUND', esikitCode: 'ESIKIT_HTTP' },
    ],
    [new EsiHttpError('GetX', 403, { error: 'no' }, {}), { code: 'FORBIDDEN' }],
    [
      new EsiMissingScopeError('GetX', 'esi-skills.read_skills.v1'),
      { code: 'FORBIDDEN', scope: 'esi-skills.read_skills.v1' },
    ],
    [new EsiHttpError('GetX', 503, undefined, {}), { code: 'ESI_UNAVAILABLE' }],
    [
      new EsiErrorLimitedError('GetX', Date.now() + 30_000),
      { code: 'RATE_LIMITED', retryAfter: expect.any(Number) },
    ],
    [new EsiRateLimitedError('GetX', 'market', 12), { code: 'RATE_LIMITED', retryAfter: 12 }],
    [new EsiTimeoutError('GetX', 5000), { code: 'ESI_UNAVAILABLE', esikitCode: 'ESIKIT_TIMEOUT' }],
    [new EsiNetworkError('GetX', new Error('ECONNRESET')), { code: 'ESI_UNAVAILABLE' }],
    [new EsiAbortedError('GetX', 'user'), { code: 'ABORTED' }],
    [new SsoInvalidGrantError('refresh token is dead'), { code: 'UNAUTHENTICATED' }],
    [
      new TokenError('ESIKIT_TOKEN_STORE_FAILED', 'the store failed to save token t1'),
      { code: 'TOKEN_STORE_UNAVAILABLE', esikitCode: 'ESIKIT_TOKEN_STORE_FAILED', status: 503 },
    ],
  ])('maps %s', (error, extensions) => {
    expect(toGraphQLError(error).extensions).toMatchObject(extensions);
  });

  it("does not pass on a token store's own message (it can name the app's hosts)", () => {
    const e = toGraphQLError(
      new TokenError(
        'ESIKIT_TOKEN_STORE_FAILED',
        'Redis token store failed: connect ECONNREFUSED 10.0.0.5:6379',
      ),
    );
    expect(e.message).toBe("The app's token store is unavailable");
    expect(JSON.stringify(e)).not.toContain('10.0.0.5');
  });

  it('never passes on what it does not know', () => {
    const e = toGraphQLError(new Error('Bearer eyJsecret leaked'));
    expect(e.message).toBe('Internal error');
    expect(e.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });
});
