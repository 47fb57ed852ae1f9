import { describe, expect, it } from 'vitest';

import { GrantStore } from './grants.js';
import { IdSource } from './random.js';

const grantInput = { characterId: 1, clientId: 'c', scopes: ['publicData'], ownerHash: 'h' };

describe('GrantStore', () => {
  it('sweeps expired access tokens without forgetting live ones of a revoked grant', () => {
    const store = new GrantStore(new IdSource(1));
    const old = store.addGrant(grantInput);
    for (let i = 0; i < 1500; i++) store.recordAccessToken(`old-${i}`, old, 1_000, 0);
    const live = store.addGrant(grantInput);
    // Recording at t=2000 triggers sweeps; the old (expired) entries go, the live ones stay.
    for (let i = 0; i < 1500; i++) store.recordAccessToken(`live-${i}`, live, 10_000, 2_000);
    store.revoke(live);
    expect(store.isAccessTokenRevoked('live-0')).toBe(true);
    expect(store.isAccessTokenRevoked('live-1499')).toBe(true);
    store.revoke(old);
    // Swept entries are simply unknown (verification already refuses them as expired).
    expect(store.isAccessTokenRevoked('old-0')).toBe(false);
  });

  it('rotating a refresh token retires the previous one', () => {
    const store = new GrantStore(new IdSource());
    const grant = store.addGrant(grantInput);
    const first = grant.refreshToken!;
    const second = store.rotate(grant);
    expect(store.byRefreshToken(first)).toBeUndefined();
    expect(store.byRefreshToken(second)).toBe(grant);
    store.endRefresh(grant);
    expect(store.byRefreshToken(second)).toBeUndefined();
    expect(grant.revoked).toBe(false);
  });

  it('forgets expired codes once enough accumulate', () => {
    const store = new GrantStore(new IdSource(2));
    const code = (expiresAt: number, now: number) =>
      store.addCode(
        {
          clientId: 'c',
          redirectUri: 'http://x/cb',
          scopes: [],
          characterId: 1,
          codeChallenge: undefined,
          expiresAt,
        },
        now,
      );
    const first = code(100, 0);
    for (let i = 0; i < 1100; i++) code(10_000, 200);
    expect(store.code(first.code)).toBeUndefined();
  });
});
