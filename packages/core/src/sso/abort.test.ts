// Every public async function of @esikit/core/sso takes { signal } and, when it fires, rejects
// with a typed EsikitError (code ESIKIT_SSO_ABORTED, the signal's reason as cause), never a raw
// DOMException: with a signal aborted before the call, and aborted while SSO holds the request.
import type { Simulator } from '@esikit/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EsikitError } from '../errors.js';
import { EncryptedTokenStore, TokenCipher } from './encryption.js';
import { completeLogin, importRefreshToken, saveToken, startLogin } from './login.js';
import type { TokenManager } from './manager.js';
import { MemoryTokenStore } from './memory-store.js';
import type { TokenStore } from './store.js';
import { followAuthorize, simManager, simSso, SsoGate, startSim } from './testing/sim-fixture.js';
import { sampleToken } from './testing/token-store-contract.js';
import { storeVariants } from './testing/stores.js';
import type { Token } from './token.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.sso.setFaults({});
  sim.sso.setAutoConsent(sim.characters[0]!.id);
});

const SKILLS = 'esi-skills.read_skills.v1';
const REASON = new Error('the caller gave up');

async function expectAborted(call: Promise<unknown>): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the call should have rejected').toBeInstanceOf(EsikitError);
  expect(error).toMatchObject({ code: 'ESIKIT_SSO_ABORTED', cause: REASON });
}

async function freshToken(tokens: TokenManager): Promise<Token> {
  const issued = await sim.issueTokens({ characterId: sim.characters[0]!.id, scopes: [SKILLS] });
  return importRefreshToken(tokens, issued.refresh_token);
}

type Call = (signal: AbortSignal) => Promise<unknown>;

const variants = await storeVariants();

describe('with a signal aborted before the call', () => {
  it('every EveSso, TokenManager and login function rejects with ESIKIT_SSO_ABORTED', async () => {
    const tokens = simManager(sim);
    const token = await freshToken(tokens);
    const issued = await sim.issueTokens({ characterId: token.characterId, scopes: [SKILLS] });
    const verified = await tokens.sso.refresh(issued.refresh_token);
    const calls: Record<string, Call> = {
      // A fresh EveSso, so discovery itself is what gets aborted.
      'sso.metadata': (signal) => simSso(sim).metadata({ signal }),
      'sso.createPkce': (signal) => tokens.sso.createPkce({ signal }),
      'sso.authorizationUrl': (signal) =>
        simSso(sim).authorizationUrl({ scopes: SKILLS, state: 'x'.repeat(20) }, { signal }),
      'sso.exchangeCode': (signal) => tokens.sso.exchangeCode({ code: 'c', state: 's', signal }),
      'sso.refresh': (signal) => tokens.sso.refresh(token.refreshToken!, { signal }),
      'sso.refreshUnverified': (signal) =>
        tokens.sso.refreshUnverified(token.refreshToken!, { signal }),
      'sso.revoke': (signal) => tokens.sso.revoke(token.refreshToken!, { signal }),
      'sso.verifyAccessToken': (signal) =>
        simSso(sim).verifyAccessToken(token.accessToken, { signal }),
      validAccessToken: (signal) => tokens.validAccessToken(token.id, { signal }),
      refresh: (signal) => tokens.refresh(token.id, { signal }),
      refreshOrDelete: (signal) => tokens.refreshOrDelete(token.id, { signal }),
      revoke: (signal) => tokens.revoke(token.id, { signal }),
      find: (signal) => tokens.find({}, { signal }),
      getToken: (signal) => tokens.getToken(token.characterId, [], { signal }),
      requireScopes: (signal) => tokens.requireScopes(SKILLS, {}, { signal }),
      requireScopesExact: (signal) => tokens.requireScopesExact(SKILLS, {}, { signal }),
      forUser: (signal) => tokens.forUser('u1', { signal }),
      getExpired: (signal) => tokens.getExpired({}, { signal }),
      equivalentTo: (signal) => tokens.equivalentTo(token, { signal }),
      requireValid: (signal) => tokens.requireValid({}, { signal }),
      bulkRefresh: (signal) => tokens.bulkRefresh([token], { signal, force: true }),
      refreshOrDeleteExpired: (signal) => tokens.refreshOrDeleteExpired({ signal }),
      deleteStaleCallbackRedirects: (signal) => tokens.deleteStaleCallbackRedirects({ signal }),
      'source().getAccessToken': (signal) => tokens.source(token).getAccessToken({ signal }),
      startLogin: (signal) => startLogin(tokens, { sessionKey: 's', scopes: SKILLS, signal }),
      completeLogin: (signal) =>
        completeLogin(tokens, { sessionKey: 's', callback: '?code=c&state=s', signal }),
      saveToken: (signal) => saveToken(tokens, verified, { signal }),
      importRefreshToken: (signal) => importRefreshToken(tokens, 'r', { signal }),
    };
    for (const [name, call] of Object.entries(calls)) {
      await expectAborted(call(AbortSignal.abort(REASON))).catch((e: unknown) => {
        throw new Error(`${name}: ${String(e)}`);
      });
    }
    // Nothing was changed by the aborted calls.
    expect((await tokens.store.get(token.id))?.version).toBe(token.version);
  });

  for (const variant of variants) {
    it.skipIf(variant.skip !== undefined)(`every ${variant.name} method`, async () => {
      const { store: raw, close } = await variant.make();
      try {
        for (const store of [
          raw,
          new EncryptedTokenStore(
            raw,
            new TokenCipher({ keys: { k: Buffer.alloc(32, 1) }, currentKeyId: 'k' }),
          ),
        ] as TokenStore[]) {
          const t = await store.create(sampleToken(), 1);
          const calls: Record<string, Call> = {
            create: (signal) => store.create(sampleToken(), 1, { signal }),
            get: (signal) => store.get(t.id, { signal }),
            find: (signal) => store.find({}, { signal }),
            update: (signal) => store.update(t.id, t.version, { accessToken: 'a' }, 2, { signal }),
            delete: (signal) => store.delete(t.id, t.version, { signal }),
            acquireLease: (signal) => store.acquireLease('k', 'h', 1000, { signal }),
            renewLease: (signal) => store.renewLease('k', 'h', 1000, { signal }),
            releaseLease: (signal) => store.releaseLease('k', 'h', { signal }),
            saveCallbackRedirect: (signal) =>
              store.saveCallbackRedirect(
                {
                  state: 'st',
                  sessionKey: 's',
                  returnUrl: undefined,
                  codeVerifier: undefined,
                  scopes: [],
                  userId: undefined,
                  created: 1,
                },
                { signal },
              ),
            takeCallbackRedirect: (signal) => store.takeCallbackRedirect('st', { signal }),
            deleteCallbackRedirectsBefore: (signal) =>
              store.deleteCallbackRedirectsBefore(10, { signal }),
          };
          for (const [name, call] of Object.entries(calls)) {
            await expectAborted(call(AbortSignal.abort(REASON))).catch((e: unknown) => {
              throw new Error(`${name}: ${String(e)}`);
            });
          }
          expect((await store.get(t.id))?.version).toBe(t.version);
        }
      } finally {
        await close();
      }
    });
  }
});

describe('aborted while SSO holds the request', () => {
  const cases: [
    string,
    string,
    (tokens: TokenManager, token: Token, signal: AbortSignal) => Promise<unknown>,
  ][] = [
    [
      'discovery',
      '/.well-known/oauth-authorization-server',
      (t, _, signal) => t.sso.metadata({ signal }),
    ],
    [
      'JWKS fetch',
      '/oauth/jwks',
      (t, token, signal) => t.sso.verifyAccessToken(token.accessToken, { signal }),
    ],
    [
      'code exchange',
      '/v2/oauth/token',
      (t, _, signal) => t.sso.exchangeCode({ code: 'c', state: 's', signal }),
    ],
    ['refresh', '/v2/oauth/token', (t, token, signal) => t.refresh(token.id, { signal })],
    ['revoke', '/v2/oauth/revoke', (t, token, signal) => t.revoke(token.id, { signal })],
  ];
  it.each(cases)('%s', async (_, path, call) => {
    const setup = simManager(sim);
    const token = await freshToken(setup);
    const gate = new SsoGate();
    // A fresh SSO client: no metadata or keys cached, so each call really goes out.
    const tokens = simManager(sim, { store: setup.store, sso: simSso(sim, { fetch: gate.fetch }) });
    const held = gate.hold(path, 'before');
    const controller = new AbortController();
    const pending = call(tokens, token, controller.signal);
    await held.arrived;
    controller.abort(REASON);
    await expectAborted(pending);
    held.release();
    // The token is as it was: nothing was sent for it.
    expect((await setup.store.get(token.id))?.version).toBe(token.version);
  });
});

describe('a login aborted in the middle', () => {
  it('completeLogin aborted during the code exchange leaves no token', async () => {
    const gate = new SsoGate();
    const tokens = simManager(sim, {
      sso: simSso(sim, { fetch: gate.fetch }),
      store: new MemoryTokenStore(),
    });
    const { url } = await startLogin(tokens, { sessionKey: 's', scopes: SKILLS });
    const callback = await followAuthorize(url);
    const held = gate.hold('/v2/oauth/token', 'before');
    const controller = new AbortController();
    const pending = completeLogin(tokens, { sessionKey: 's', callback, signal: controller.signal });
    await held.arrived;
    controller.abort(REASON);
    await expectAborted(pending);
    held.release();
    expect(await tokens.find()).toEqual([]);
  });
});
