import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SsoFixture } from './testing.js';
import { basic, CHARACTERS, NATIVE, OPEN, pkcePair, startSso, WEB } from './testing.js';

let fx: SsoFixture;
beforeEach(async () => {
  fx = await startSso();
});
afterEach(async () => {
  await fx.close();
});

const BASE = {
  response_type: 'code',
  client_id: WEB.clientId,
  redirect_uri: WEB.redirectUris[0]!,
  scope: 'publicData esi-skills.read_skills.v1',
  state: 'state <&> "1"',
};

async function get(params: Record<string, string>, accept = 'text/html') {
  const res = await request(
    `${fx.url}/v2/oauth/authorize?${new URLSearchParams(params).toString()}`,
    {
      headers: { accept },
    },
  );
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

async function postForm(action: string, fields: [string, string][]) {
  const res = await request(new URL(action, fx.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

const unescape = (s: string) =>
  s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** The page's forms, as a browser would submit them when their button is pressed. */
function forms(html: string) {
  return [...html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)].map(
    ([, action, inner]) => {
      const hidden = [
        ...inner!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g),
      ].map(([, k, v]) => [unescape(k!), unescape(v!)] as [string, string]);
      const button =
        /<button type="submit" name="([^"]*)" value="([^"]*)">([\s\S]*?)<\/button>/.exec(inner!)!;
      return {
        action: unescape(action!),
        label: unescape(
          button[3]!
            .replace(/<[^>]+>/g, ' ')
            .replace(/\s+/g, ' ')
            .trim(),
        ),
        fields: [...hidden, [button[1]!, button[2]!] as [string, string]],
      };
    },
  );
}

describe('consent page', () => {
  it('lists the characters and its form completes the flow with the chosen one', async () => {
    const page = await get(BASE);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('esi-skills.read_skills.v1');
    // Names are escaped, never injected.
    expect(page.text).not.toContain('Kess <Hauler>');
    const found = forms(page.text);
    expect(found.map((f) => f.label)).toEqual([
      `${CHARACTERS[0]!.name} Corporation ${CHARACTERS[0]!.corporationId} · Alliance ${CHARACTERS[0]!.allianceId}`,
      `${CHARACTERS[1]!.name} Corporation ${CHARACTERS[1]!.corporationId}`,
      'Cancel',
    ]);
    const chosen = found[1]!;
    const done = await postForm(chosen.action, chosen.fields);
    expect(done.status).toBe(302);
    const location = new URL(String(done.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(WEB.redirectUris[0]);
    expect(location.searchParams.get('state')).toBe(BASE.state);

    const tokens = await request(`${fx.url}/v2/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(WEB.clientId, WEB.clientSecret),
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: location.searchParams.get('code')!,
      }).toString(),
    });
    const body = (await tokens.body.json()) as { access_token: string };
    const access = await fx.sso.verifyAccessToken(body.access_token);
    expect(access).toMatchObject({ characterId: CHARACTERS[1]!.id, scopes: BASE.scope.split(' ') });
    expect(fx.sso.stats()).toMatchObject({ authorize: 2, codesIssued: 1 });
  });

  it('Cancel redirects with access_denied and no code', async () => {
    const cancel = forms((await get(BASE)).text).find((f) => f.label === 'Cancel')!;
    const res = await postForm(cancel.action, cancel.fields);
    expect(res.status).toBe(302);
    const location = new URL(String(res.headers.location));
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('code')).toBeNull();
    expect(location.searchParams.get('state')).toBe(BASE.state);
  });

  it('a tampered consent POST is validated again', async () => {
    const chosen = forms((await get(BASE)).text)[0]!;
    const fields = chosen.fields.map(([k, v]): [string, string] => [
      k,
      k === 'redirect_uri' ? 'https://evil.example/cb' : v,
    ]);
    const res = await postForm(chosen.action, fields);
    expect(res.status).toBe(400);
    expect(res.text).toContain('does not match any of the configured values');
  });

  it('an unknown character_id is a 400', async () => {
    const chosen = forms((await get(BASE)).text)[0]!;
    const fields = chosen.fields.map(([k, v]): [string, string] => [
      k,
      k === 'character_id' ? '12345' : v,
    ]);
    const res = await postForm(chosen.action, fields);
    expect(res.status).toBe(400);
    expect(res.text).toContain('no character with id');
  });
});

describe('automatic consent', () => {
  it('setAutoConsent redirects at once with a code; undefined shows the page again', async () => {
    fx.sso.setAutoConsent(CHARACTERS[0]!.id);
    const res = await get(BASE);
    expect(res.status).toBe(302);
    expect(new URL(String(res.headers.location)).searchParams.get('code')).toMatch(
      /^[A-Za-z0-9_-]{32}$/,
    );
    fx.sso.setAutoConsent(undefined);
    expect((await get(BASE)).status).toBe(200);
    expect(() => fx.sso.setAutoConsent(1)).toThrow(/no character with id 1/);
  });

  it('esikit_character=<id> consents for scripts; an unknown id is a 400', async () => {
    expect((await get({ ...BASE, esikit_character: String(CHARACTERS[1]!.id) })).status).toBe(302);
    const bad = await get({ ...BASE, esikit_character: '42' }, 'application/json');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toEqual({
      error: 'invalid_request',
      error_description: 'esikit_character: no character with id "42"',
    });
  });

  it('keeps the redirect_uri query and adds code and state', async () => {
    const res = await get({
      ...BASE,
      client_id: OPEN.clientId,
      redirect_uri: 'http://localhost:3000/cb?app=1',
      esikit_character: String(CHARACTERS[0]!.id),
    });
    const location = new URL(String(res.headers.location));
    expect(location.searchParams.get('app')).toBe('1');
    expect(location.searchParams.get('code')).not.toBeNull();
  });
});

describe('request validation', () => {
  const cases: [string, Record<string, string | undefined>, string, RegExp][] = [
    ['missing client_id', { client_id: undefined }, 'invalid_request', /client_id is required/],
    [
      'unknown client_id',
      { client_id: 'ghost' },
      'unauthorized_client',
      /unknown client_id "ghost"/,
    ],
    [
      'missing redirect_uri',
      { redirect_uri: undefined },
      'invalid_request',
      /redirect_uri is required/,
    ],
    [
      'relative redirect_uri',
      { client_id: OPEN.clientId, redirect_uri: '/cb' },
      'invalid_request',
      /not an absolute URL/,
    ],
    [
      'unregistered redirect_uri',
      { redirect_uri: 'http://127.0.0.1:9/other' },
      'invalid_request',
      /^The redirect URL does not match any of the configured values for this client\.$/,
    ],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type', /"token"/],
    [
      'missing response_type',
      { response_type: undefined },
      'unsupported_response_type',
      /got none/,
    ],
    ['missing state', { state: undefined }, 'invalid_request', /state is required/],
    [
      'unknown scope',
      { scope: 'publicData esi-made.up.v1 nonsense' },
      'invalid_scope',
      /^The requested 'nonsense' scope is not valid\.$/,
    ],
    [
      'plain PKCE',
      { code_challenge: pkcePair().challenge, code_challenge_method: 'plain' },
      'invalid_request',
      /"S256"/,
    ],
    [
      'PKCE without method',
      { code_challenge: pkcePair().challenge },
      'invalid_request',
      /got none/,
    ],
    [
      'method without challenge',
      { code_challenge_method: 'S256' },
      'invalid_request',
      /without code_challenge/,
    ],
    [
      'short challenge',
      { code_challenge: 'abc', code_challenge_method: 'S256' },
      'invalid_request',
      /43 characters/,
    ],
    [
      'public client without PKCE',
      { client_id: NATIVE.clientId, redirect_uri: NATIVE.redirectUris[0] },
      'invalid_request',
      /must use PKCE/,
    ],
  ];
  it.each(cases)('%s → 400 %s', async (_name, change, error, mentions) => {
    const params = Object.fromEntries(
      Object.entries({ ...BASE, ...change }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    );
    const json = await get(
      { ...params, esikit_character: String(CHARACTERS[0]!.id) },
      'application/json',
    );
    expect(json.status).toBe(400);
    const body = JSON.parse(json.text);
    expect(body.error).toBe(error);
    expect(body.error_description).toMatch(mentions);
    const html = await get(params);
    expect(html.status).toBe(400);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toContain(error);
  });

  it('only checks scopes against the list it was given, when given one', async () => {
    await fx.close();
    fx = await startSso({ scopes: ['esi-skills.read_skills.v1'] });
    const ok = await get({
      ...BASE,
      scope: 'esi-skills.read_skills.v1',
      esikit_character: String(CHARACTERS[0]!.id),
    });
    expect(ok.status).toBe(302);
    // publicData is not in the spec's list but EVE still grants it.
    expect((await get({ ...BASE, esikit_character: String(CHARACTERS[0]!.id) })).status).toBe(302);
    const bad = await get(
      {
        ...BASE,
        scope: 'esi-wallet.read_character_wallet.v1',
        esikit_character: String(CHARACTERS[0]!.id),
      },
      'application/json',
    );
    expect(JSON.parse(bad.text).error_description).toBe(
      "The requested 'esi-wallet.read_character_wallet.v1' scope is not valid.",
    );
  });
});
