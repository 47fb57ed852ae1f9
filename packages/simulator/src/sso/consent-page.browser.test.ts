// The consent page in a real browser: Debian's chromium driven by playwright-core (never a
// browser downloaded by playwright). A machine without the browser skips this file with a
// message; with ESIKIT_REQUIRE_BROWSER=1, or under CI, a missing browser fails the run instead.
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { specDocument } from '../../test/helpers.js';
import type { Simulator } from '../index.js';
import { DEFAULT_CLIENT, DEFAULT_PUBLIC_CLIENT, startSimulator } from '../index.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/**
 * CI counts too: `pnpm test` runs vitest through turbo, whose strict env mode hands a task only
 * the variables turbo.json lists, and `CI` is one of them, so it still arrives when the other
 * does not.
 */
const REQUIRED =
  process.env.ESIKIT_REQUIRE_BROWSER === '1' ||
  !['', '0', 'false', undefined].includes(process.env.CI?.toLowerCase());
const REQUIRED_BY =
  process.env.ESIKIT_REQUIRE_BROWSER === '1' ? 'ESIKIT_REQUIRE_BROWSER=1' : 'CI is set';

function browserMissing(): string | undefined {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return undefined;
  } catch (e) {
    return `no executable browser at ${CHROMIUM} (${(e as NodeJS.ErrnoException).code ?? String(e)}); install it with \`apt-get install chromium\` or point CHROMIUM_PATH at one`;
  }
}

const missing = browserMissing();
if (missing !== undefined) {
  // A skipped browser suite must never pass unnoticed where the browser is supposed to exist.
  if (REQUIRED) throw new Error(`a browser is required (${REQUIRED_BY}) but ${missing}`);
  // eslint-disable-next-line no-console -- the only way to say why a whole file was skipped
  console.warn(`consent-page.browser.test: skipped: ${missing}`);
}

const SCOPES = ['publicData', 'esi-skills.read_skills.v1'];

/** A callback server standing in for the application: it records each query it receives. */
async function startCallback() {
  const queries: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    queries.push(url.searchParams);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Callback</title><p>Login finished.</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, queries, close };
}

function authorizeUrl(sim: Simulator, params: Record<string, string>): string {
  return `${sim.ssoUrl}/v2/oauth/authorize?${new URLSearchParams({
    response_type: 'code',
    scope: SCOPES.join(' '),
    ...params,
  }).toString()}`;
}

async function exchange(
  sim: Simulator,
  form: Record<string, string>,
  authorization?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sim.ssoUrl}/v2/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', ...form }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Screenshots are kept in ESIKIT_SCREENSHOT_DIR when set (to look at them), else removed. */
const keepDir = process.env.ESIKIT_SCREENSHOT_DIR;
async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const png = readFileSync(file);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return file;
}

(missing === undefined ? describe : describe.skip)('consent page in chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    if (keepDir) mkdirSync(keepDir, { recursive: true });
    dir = keepDir ?? mkdtempSync(join(tmpdir(), 'esikit-consent-'));
  });
  afterAll(async () => {
    await browser?.close();
    if (!keepDir && dir) rmSync(dir, { recursive: true, force: true });
  });

  let sim: Simulator;
  let callback: Awaited<ReturnType<typeof startCallback>>;
  let context: BrowserContext;
  let page: Page;
  beforeEach(async () => {
    sim = await startSimulator({ spec: specDocument() });
    callback = await startCallback();
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
    await callback?.close();
    await sim?.close();
  });

  it('lists every character, and clicking one brings a code and the state to the callback', async () => {
    const state = randomBytes(12).toString('base64url');
    const res = await page.goto(
      authorizeUrl(sim, {
        client_id: DEFAULT_CLIENT.clientId,
        redirect_uri: callback.url,
        state,
      }),
    );
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe('Select a character | EVE SSO (simulated)');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      `Log in to ${DEFAULT_CLIENT.clientId}`,
    );
    for (const scope of SCOPES)
      await expect(page.getByText(scope, { exact: true }).count()).resolves.toBe(1);

    // Every character appears, in order, with its corporation (and alliance when it has one).
    const buttons = page.locator('form.character button');
    expect(sim.characters.length).toBeGreaterThan(1);
    expect(await buttons.count()).toBe(sim.characters.length);
    for (const [i, c] of sim.characters.entries()) {
      const button = buttons.nth(i);
      expect(await button.isVisible()).toBe(true);
      expect(await button.locator('.name').textContent()).toBe(c.name);
      expect(await button.locator('.corp').textContent()).toBe(
        `Corporation ${c.corporationId}${c.allianceId === undefined ? '' : ` · Alliance ${c.allianceId}`}`,
      );
    }
    // Laid out as a column of full-width cards that do not overlap.
    const boxes = await Promise.all(
      sim.characters.map(async (_, i) => (await buttons.nth(i).boundingBox())!),
    );
    for (const [i, box] of boxes.entries()) {
      expect(box.width).toBeGreaterThan(300);
      expect(box.height).toBeGreaterThan(30);
      if (i > 0) expect(box.y).toBeGreaterThanOrEqual(boxes[i - 1]!.y + boxes[i - 1]!.height);
    }
    await screenshot(page, dir, 'consent');

    // Not the first character, so a page that always logs in the first one fails.
    const chosen = sim.characters[2]!;
    await buttons.filter({ hasText: chosen.name }).click();
    await page.waitForURL((url) => url.href.startsWith(callback.url));
    expect(await page.textContent('body')).toContain('Login finished.');

    expect(callback.queries).toHaveLength(1);
    const query = callback.queries[0]!;
    expect(query.get('state')).toBe(state);
    const code = query.get('code');
    expect(code).toMatch(/^\S{16,}$/);

    const basic = `Basic ${Buffer.from(`${DEFAULT_CLIENT.clientId}:${DEFAULT_CLIENT.clientSecret!}`).toString('base64')}`;
    const token = await exchange(sim, { code: code!, redirect_uri: callback.url }, basic);
    expect(token.status).toBe(200);
    const claims = decodeJwt(String(token.body.access_token));
    expect(claims.sub).toBe(`CHARACTER:EVE:${chosen.id}`);
    expect(claims.name).toBe(chosen.name);
    expect(claims.azp).toBe(DEFAULT_CLIENT.clientId);
    expect(claims.scp).toEqual(SCOPES);
  });

  it('completes a public client’s PKCE (S256) login through the page', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const state = 'pkce-state';
    await page.goto(
      authorizeUrl(sim, {
        client_id: DEFAULT_PUBLIC_CLIENT.clientId,
        redirect_uri: callback.url,
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    const chosen = sim.characters.at(-1)!;
    await page.getByRole('button', { name: chosen.name }).click();
    await page.waitForURL((url) => url.href.startsWith(callback.url));

    const query = callback.queries[0]!;
    expect(query.get('state')).toBe(state);
    const code = query.get('code')!;

    // The challenge is enforced: a wrong verifier is refused, the right one is accepted.
    const wrong = await exchange(sim, {
      client_id: DEFAULT_PUBLIC_CLIENT.clientId,
      code,
      code_verifier: randomBytes(32).toString('base64url'),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');
    expect(wrong.body.error_description).toContain('code_verifier does not match');

    const token = await exchange(sim, {
      client_id: DEFAULT_PUBLIC_CLIENT.clientId,
      code,
      code_verifier: verifier,
    });
    expect(token.status).toBe(200);
    const claims = decodeJwt(String(token.body.access_token));
    expect(claims.sub).toBe(`CHARACTER:EVE:${chosen.id}`);
    expect(claims.azp).toBe(DEFAULT_PUBLIC_CLIENT.clientId);
  });

  it('Cancel sends access_denied and the state back, with no code', async () => {
    await page.goto(
      authorizeUrl(sim, {
        client_id: DEFAULT_CLIENT.clientId,
        redirect_uri: callback.url,
        state: 'cancel-state',
      }),
    );
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL((url) => url.href.startsWith(callback.url));
    const query = callback.queries[0]!;
    expect(Object.fromEntries(query)).toEqual({ error: 'access_denied', state: 'cancel-state' });
  });

  it('shows a readable error page naming an unknown client_id, and never redirects', async () => {
    const res = await page.goto(
      authorizeUrl(sim, { client_id: 'no-such-app', redirect_uri: callback.url, state: 's' }),
    );
    expect(res?.status()).toBe(400);
    expect(page.url().startsWith(sim.ssoUrl)).toBe(true);
    expect(await page.title()).toBe('Login error | EVE SSO (simulated)');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'The login request is invalid',
    );
    const message = await page.locator('.error').innerText();
    expect(message).toContain('unauthorized_client');
    expect(message).toContain('unknown client_id "no-such-app"');
    expect(await page.locator('.error').isVisible()).toBe(true);
    await screenshot(page, dir, 'error');
    expect(callback.queries).toHaveLength(0);
  });
});
