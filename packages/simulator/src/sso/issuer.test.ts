// The issuer as clients nobody here wrote see it: openid-client discovers and logs in, jose
// verifies `iss` against what discovery published.
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  type JSONWebKeySet,
  jwtVerify,
} from 'jose';
import * as oidc from 'openid-client';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';

import type { SsoServerOptions } from './index.js';
import { CHARACTERS, startSso } from './testing.js';

const CALLBACK = 'http://127.0.0.1:9/callback';
const URL_CLIENT = {
  clientId: 'url-app',
  clientSecret: 'url-secret',
  redirectUris: [CALLBACK],
  issuerForm: 'url' as const,
};
const HOST_CLIENT = {
  clientId: 'host-app',
  clientSecret: 'host-secret',
  redirectUris: [CALLBACK],
  issuerForm: 'host' as const,
};

async function sso(issuer: SsoServerOptions['issuer']) {
  return startSso({
    clients: [URL_CLIENT, HOST_CLIENT],
    ...(issuer !== undefined ? { issuer } : {}),
  });
}

/** A full login through openid-client: discovery, authorize (scripted consent), code grant. */
async function login(
  config: oidc.Configuration,
  characterId: number,
): Promise<oidc.TokenEndpointResponse> {
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'publicData',
    state,
  });
  url.searchParams.set('esikit_character', String(characterId));
  const res = await request(url);
  await res.body.dump();
  expect(res.statusCode).toBe(302);
  return oidc.authorizationCodeGrant(config, new URL(String(res.headers.location)), {
    expectedState: state,
  });
}

function discover(server: URL, client: { clientId: string; clientSecret: string }) {
  return oidc.discovery(server, client.clientId, client.clientSecret, undefined, {
    algorithm: 'oauth2',
    execute: [oidc.allowInsecureRequests],
  });
}

describe('issuer', () => {
  it("'self': openid-client discovers from the server URL, and iss matches the discovered issuer", async () => {
    await using fx = await sso('self');
    const config = await discover(new URL(fx.url), URL_CLIENT);
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(fx.url);
    const tokens = await login(config, CHARACTERS[0]!.id);
    const jwks = createRemoteJWKSet(new URL(meta.jwks_uri!));
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: meta.issuer,
      audience: [URL_CLIENT.clientId],
      currentDate: new Date(fx.clock.now()),
    });
    expect(payload.iss).toBe(fx.url);
    // The bare-host form for a client registered with it, as EVE sometimes sends.
    const hostConfig = await discover(new URL(fx.url), HOST_CLIENT);
    const hostTokens = await login(hostConfig, CHARACTERS[0]!.id);
    expect(decodeJwt(hostTokens.access_token).iss).toBe(new URL(fx.url).host);
  });

  it("EVE's issuer: published and carried as https://login.eveonline.com, or login.eveonline.com per client", async () => {
    await using fx = await sso('https://login.eveonline.com');
    // The issuer is not this server's URL, so discovery reads the well-known document directly
    // (openid-client then does not compare the issuer with the URL).
    const wellKnown = new URL('/.well-known/oauth-authorization-server', fx.url);
    const config = await discover(wellKnown, URL_CLIENT);
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe('https://login.eveonline.com');
    expect(meta.token_endpoint).toBe(`${fx.url}/v2/oauth/token`);
    // As CCP's docs advise: accept the discovered issuer and its bare-host spelling.
    const accepted = [meta.issuer, new URL(meta.issuer).host];
    const keys = createLocalJWKSet(
      (await (await request(meta.jwks_uri!)).body.json()) as JSONWebKeySet,
    );
    const verify = (token: string, clientId: string) =>
      jwtVerify(token, keys, {
        issuer: accepted,
        audience: clientId,
        currentDate: new Date(fx.clock.now()),
      });
    const url = await login(config, CHARACTERS[0]!.id);
    expect((await verify(url.access_token, URL_CLIENT.clientId)).payload.iss).toBe(
      'https://login.eveonline.com',
    );
    const host = await login(await discover(wellKnown, HOST_CLIENT), CHARACTERS[1]!.id);
    expect((await verify(host.access_token, HOST_CLIENT.clientId)).payload.iss).toBe(
      'login.eveonline.com',
    );
    // issueTokens follows the same rule.
    const issued = await fx.sso.issueTokens({
      characterId: CHARACTERS[0]!.id,
      scopes: [],
      clientId: HOST_CLIENT.clientId,
    });
    expect(decodeJwt(issued.access_token).iss).toBe('login.eveonline.com');
    // A verifier that insists on this server's URL as issuer refuses them, as it should.
    await expect(
      jwtVerify(url.access_token, keys, {
        issuer: fx.url,
        currentDate: new Date(fx.clock.now()),
      }),
    ).rejects.toThrow(/iss/);
  });

  it("unset: 'self', so metadata and tokens agree on the server URL (bare host per client)", async () => {
    await using fx = await sso(undefined);
    const meta = (await (
      await request(`${fx.url}/.well-known/oauth-authorization-server`)
    ).body.json()) as { issuer: string };
    expect(meta.issuer).toBe(fx.url);
    const url = await fx.sso.issueTokens({ characterId: CHARACTERS[0]!.id, scopes: [] });
    expect(decodeJwt(url.access_token).iss).toBe(fx.url);
    const host = await fx.sso.issueTokens({
      characterId: CHARACTERS[0]!.id,
      scopes: [],
      clientId: HOST_CLIENT.clientId,
    });
    expect(decodeJwt(host.access_token).iss).toBe(new URL(fx.url).host);
    // And through a real login, checked the way openid-client + jose users check it.
    const config = await discover(new URL(fx.url), URL_CLIENT);
    const tokens = await login(config, CHARACTERS[1]!.id);
    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!)),
      {
        issuer: config.serverMetadata().issuer,
        audience: URL_CLIENT.clientId,
        currentDate: new Date(fx.clock.now()),
      },
    );
    expect(payload.iss).toBe(fx.url);
  });

  it('an issuer given with a trailing slash is published and carried without it', async () => {
    await using fx = await sso('https://login.eveonline.com/');
    const meta = (await (
      await request(`${fx.url}/.well-known/oauth-authorization-server`)
    ).body.json()) as { issuer: string };
    expect(meta.issuer).toBe('https://login.eveonline.com');
    const url = await fx.sso.issueTokens({ characterId: CHARACTERS[0]!.id, scopes: [] });
    expect(decodeJwt(url.access_token).iss).toBe('https://login.eveonline.com');
  });
});

describe('application registration', () => {
  const APP = {
    clientId: 'registered-app',
    clientSecret: 'registered-secret',
    redirectUris: [CALLBACK],
    scopes: ['publicData', 'esi-skills.read_skills.v1'],
  };
  const params = (over: Record<string, string>) =>
    new URLSearchParams({
      response_type: 'code',
      client_id: APP.clientId,
      redirect_uri: CALLBACK,
      scope: 'publicData esi-skills.read_skills.v1',
      state: 'state-0123456789abcdef',
      esikit_character: String(CHARACTERS[0]!.id),
      ...over,
    });

  it('refuses another redirect_uri and unregistered scopes with the errors EVE gives', async () => {
    await using fx = await startSso({ clients: [APP] });
    const get = async (over: Record<string, string>) => {
      const res = await request(`${fx.url}/v2/oauth/authorize?${params(over).toString()}`, {
        headers: { accept: 'application/json' },
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
    };
    expect((await get({})).status).toBe(302);
    expect(await get({ redirect_uri: 'http://127.0.0.1:9/callback/' })).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description:
          'The redirect URL does not match any of the configured values for this client.',
      },
    });
    expect(
      await get({ scope: 'publicData esi-wallet.read_character_wallet.v1 esi-mail.read_mail.v1' }),
    ).toEqual({
      status: 400,
      body: {
        error: 'invalid_scope',
        error_description:
          "The requested 'esi-wallet.read_character_wallet.v1' scope is not valid.",
      },
    });
    // A scope that does not exist at all gets the same answer on EVE.
    expect(
      ((await get({ scope: 'esi-nothing.here.v1 publicData' })).body as { error: string }).error,
    ).toBe('invalid_scope');
    await expect(
      fx.sso.issueTokens({
        characterId: CHARACTERS[0]!.id,
        scopes: ['esi-wallet.read_character_wallet.v1'],
        clientId: APP.clientId,
      }),
    ).rejects.toThrow(
      /"esi-wallet.read_character_wallet.v1" is unknown or not registered for client "registered-app"/,
    );
  });
});

describe('startSimulator({ sso })', () => {
  it('passes the issuer through and names a bad one as sso.issuer', async () => {
    const { startSimulator } = await import('../index.js');
    const { specDocument } = await import('../../test/helpers.js');
    await using sim = await startSimulator({ spec: specDocument(), sso: { issuer: 'self' } });
    const meta = (await (
      await request(`${sim.ssoUrl}/.well-known/oauth-authorization-server`)
    ).body.json()) as { issuer: string };
    expect(meta.issuer).toBe(sim.ssoUrl);
    const { access_token } = await sim.issueTokens({
      characterId: sim.characters[0]!.id,
      scopes: [],
    });
    expect(decodeJwt(access_token).iss).toBe(sim.ssoUrl);
    await expect(
      startSimulator({ spec: specDocument(), sso: { issuer: 'login.eveonline.com' } }),
    ).rejects.toThrow(/startSimulator: option "sso\.issuer" must be/);
  });
});
