// singleUseToken over HTTP: the call completes an SSO login started in this session and hands
// the procedure its token; a replayed callback, another session or missing scopes are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLogin } from '@esikit/core/sso';
import { failure, SKILLS, startApp, WALLET, type TestApp } from '../test/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

/** Logs a character in at the simulated SSO as a browser would; returns the callback URL. */
async function login(session: string, scopes: string): Promise<string> {
  const { url } = await startLogin(app.tokens, { sessionKey: session, scopes });
  url.searchParams.set('esikit_character', String(app.chars.b1));
  const res = await fetch(url, { redirect: 'manual', headers: { 'user-agent': 'esikit-tests' } });
  await res.body?.cancel();
  const location = res.headers.get('location');
  if (res.status !== 302 || location === null) throw new Error(`authorize answered ${res.status}`);
  return location;
}

describe('singleUseToken', () => {
  it('hands the procedure the token of the login this call completes', async () => {
    const ssoCallback = await login('s1', SKILLS);
    const trpc = app.client(undefined, 'batch', 's1');
    expect(await trpc.singleUse.mutate({ ssoCallback })).toEqual({
      characterId: app.chars.b1,
      userId: null,
    });
    // The callback is used up.
    const replay = await failure(trpc.singleUse.mutate({ ssoCallback }));
    expect(replay.data).toMatchObject({
      code: 'BAD_REQUEST',
      esiCode: 'ESIKIT_SSO_STATE_MISMATCH',
    });
  });

  it('refuses another session, a missing session and missing scopes', async () => {
    const elsewhere = await login('s2', SKILLS);
    const other = await failure(
      app.client(undefined, 'batch', 's3').singleUse.mutate({ ssoCallback: elsewhere }),
    );
    expect(other.data).toMatchObject({ code: 'BAD_REQUEST' });
    const none = await failure(app.client(undefined).singleUse.mutate({ ssoCallback: elsewhere }));
    expect(none.data).toMatchObject({ code: 'UNAUTHORIZED' });
    const narrow = await login('s4', WALLET);
    const scope = await failure(
      app.client(undefined, 'batch', 's4').singleUse.mutate({ ssoCallback: narrow }),
    );
    expect(scope.data).toMatchObject({ code: 'FORBIDDEN', esiCode: 'ESIKIT_TOKEN_FORBIDDEN' });
  });
});
