// The gateway in a real browser: Debian's chromium driven by playwright-core (never a browser
// playwright downloads). Without the browser this file is skipped with a message; with
// ESIKIT_REQUIRE_BROWSER=1, or under CI, a missing browser fails the run instead. Any request
// to a host other than 127.0.0.1 fails the test: the page and GraphiQL work offline.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, violations, type TestGateway } from '../test/fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const REQUIRED =
  process.env.ESIKIT_REQUIRE_BROWSER === '1' ||
  !['', '0', 'false', undefined].includes(process.env.CI?.toLowerCase());

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
  if (REQUIRED) throw new Error(`a browser is required but ${missing}`);
  console.warn(`gateway.browser.test: skipped: ${missing}`);
}

/** Screenshots: ESIKIT_SCREENSHOT_DIR, else apps/gateway/test-artifacts (gitignored). */
const SHOTS =
  process.env.ESIKIT_SCREENSHOT_DIR ??
  fileURLToPath(new URL('../test-artifacts/', import.meta.url));

(missing === undefined ? describe : describe.skip)('the gateway in chromium', () => {
  let t: TestGateway;
  let browser: Browser;
  const external: string[] = [];

  async function newContext(): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.on('request', (r) => {
      const url = new URL(r.url());
      if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.hostname !== '127.0.0.1')
        external.push(r.url());
    });
    return context;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `gateway-${name}.png`), fullPage: true });
  }

  /** Through the page's button and the simulator's consent page, as a person would. */
  async function logIn(page: Page, characterName: string): Promise<void> {
    await page.goto(t.gw.url);
    await page
      .getByRole('button', { name: /Log in with EVE Online|Add another character/ })
      .click();
    await page.waitForURL((u) => u.href.startsWith(t.sim.ssoUrl));
    await page.getByRole('button', { name: new RegExp(characterName) }).click();
    await page.waitForURL((u) => u.href.startsWith(t.gw.url));
    await expect.poll(() => page.locator('.card .name').allTextContents()).toContain(characterName);
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await startTestGateway();
    t.sim.sso.setAutoConsent(undefined);
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
  });
  afterAll(async () => {
    await browser?.close();
    await t?.[Symbol.asyncDispose]();
  });

  it('logs in, shows the character, the tRPC wallet and live status, runs GraphiQL offline, revokes, logs out', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(t.gw.url);
    await expect(page.getByText('SIMULATED ESI').first().isVisible()).resolves.toBe(true);
    await shot(page, 'home');

    const pilot = t.sim.characters[0]!;
    await logIn(page, pilot.name);
    await expect(page.locator('.card .chip').first().textContent()).resolves.toMatch(/\w/);
    // The tRPC panel: the wallet balance (batched query) and the server status (subscription over SSE).
    await expect
      .poll(() => page.locator(`[data-wallet="${pilot.id}"] .value`).textContent(), {
        timeout: 15_000,
      })
      .toMatch(/^-?[\d,]+\.\d\d$/);
    await expect
      .poll(() => page.locator('#players').textContent(), { timeout: 15_000 })
      .toMatch(/^[\d,]+$/);
    await shot(page, 'characters');

    // GraphiQL, served offline, runs the preloaded "My characters" query.
    await page.goto(`${t.gw.url}/graphql`);
    const answer = page.waitForResponse(
      (r) =>
        r.url() === `${t.gw.url}/graphql` &&
        (r.request().postData() ?? '').includes('MyCharacters'),
    );
    await page.locator('.graphiql-execute-button').click();
    const body = (await (await answer).json()) as {
      data?: { viewer: { characters: { name: string; wallet: number }[] } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data?.viewer.characters.map((c) => c.name)).toEqual([pilot.name]);
    // …and GraphiQL shows it.
    await expect
      .poll(() => page.locator('.graphiql-response').textContent(), { timeout: 20_000 })
      .toContain('"wallet"');
    await shot(page, 'graphiql');

    await page.goto(t.gw.url);
    await page.getByRole('button', { name: 'Revoke' }).first().click();
    await page.waitForLoadState();
    await expect(page.locator('.card .name').allTextContents()).resolves.not.toContain(pilot.name);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(
      page.getByRole('button', { name: 'Log in with EVE Online' }).isVisible(),
    ).resolves.toBe(true);
    expect(await t.gw.tokens.find({ characterId: pilot.id })).toEqual([]);
    await context.close();
    expect(external).toEqual([]);
  });

  it('two users in two browser contexts cannot see or use each other’s characters', async () => {
    const [ca, cb] = [await newContext(), await newContext()];
    const [pa, pb] = [await ca.newPage(), await cb.newPage()];
    const [a, b] = [t.sim.characters[1]!, t.sim.characters[2]!];
    await logIn(pa, a.name);
    await logIn(pb, b.name);
    await expect(pa.locator('.card .name').allTextContents()).resolves.toEqual([a.name]);
    await expect(pb.locator('.card .name').allTextContents()).resolves.toEqual([b.name]);
    await shot(pb, 'second-user');

    // From B's page, with B's cookie: A's wallet over tRPC, and over GraphQL (with B's CSRF token).
    const fromB = await pb.evaluate(async (id) => {
      const trpc = await fetch(
        `/trpc/esi.wallet.getCharactersCharacterIdWallet?input=${encodeURIComponent(JSON.stringify({ character_id: id }))}`,
      );
      const csrf = document.querySelector('meta[name="csrf-token"]')!.getAttribute('content')!;
      const gql = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({
          query: `{ character(character_id: ${id}) { wallet } viewer { characters { id } } }`,
        }),
      });
      return { trpc: trpc.status, gql: (await gql.json()) as unknown };
    }, a.id);
    expect(fromB.trpc).toBe(403);
    expect(fromB.gql).toMatchObject({
      errors: [{ extensions: { code: 'FORBIDDEN', reason: 'not-your-character' } }],
      data: { viewer: { characters: [{ id: b.id }] } },
    });
    await ca.close();
    await cb.close();
    expect(external).toEqual([]);
    expect(violations(t.sim)).toBe(0);
  });
});
