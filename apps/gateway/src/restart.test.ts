// Sessions and "needs a new login" flags live in the database: a restart on the same embedded
// data directory keeps a logged-in browser logged in.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@esikit/simulator';
import { loadConfig } from './config.js';
import { startGateway, type Gateway } from './gateway.js';
import { Browserless } from './internal/browserless.js';
import { specFile } from '../test/fixture.js';

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  sim = await startSimulator({ spec: specFile(), seed: 7 });
  dir = mkdtempSync(join(tmpdir(), 'esikit-gw-restart-'));
}, 60_000);
afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const config = () =>
  loadConfig({
    PORT: '0',
    ESIKIT_DB_DIR: join(dir, 'db'),
    ESIKIT_DB_TEMPLATE_DIR: join(dir, 'templates'),
    ESIKIT_HOUSEKEEPING_INTERVAL_S: '0',
    SESSION_SECRET: 'restart-test-secret-restart-test-secret-0123456789',
  });

async function withGateway<T>(fn: (gw: Gateway) => Promise<T>): Promise<T> {
  const gw = await startGateway(config(), { simulator: sim, logStream: false });
  try {
    return await fn(gw);
  } finally {
    await gw.close();
  }
}

describe('a restart on the same data directory', () => {
  it('keeps the session: the cookie still shows the user’s characters', async () => {
    const character = sim.characters[2]!;
    const cookie = await withGateway(async (gw) => {
      const b = new Browserless(gw.url);
      sim.sso.setAutoConsent(character.id);
      await b.login();
      return b.cookie!;
    });
    // The new database kept its template where ESIKIT_DB_TEMPLATE_DIR says.
    expect(readdirSync(join(dir, 'templates'))).toEqual([
      expect.stringMatching(/^pglite-[\d.]+-initdb\.tgz$/),
    ]);
    await withGateway(async (gw) => {
      const res = await fetch(`${gw.url}/trpc/myCharacters`, { headers: { cookie } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { result: { data: { characterId: number }[] } };
      expect(body.result.data.map((c) => c.characterId)).toContain(character.id);
      // Housekeeping deletes an expired session and leaves the live one alone.
      const other = (await fetch(`${gw.url}/`)).headers.get('set-cookie');
      expect(other).toMatch(/esikit_sid=/);
      const rows = async () =>
        Number(
          (
            await gw.db.orm.em
              .fork()
              .getConnection()
              .execute<{ n: string }[]>('SELECT count(*) AS n FROM esikit_gateway_session')
          )[0]!.n,
        );
      expect(await rows()).toBe(2);
      await gw.db.orm.em
        .fork()
        .getConnection()
        .execute('UPDATE esikit_gateway_session SET expires_at = 0 WHERE user_id IS NULL');
      expect(await gw.housekeeping.run()).toMatchObject({ ran: true, expiredSessions: 1 });
      expect(await rows()).toBe(1);
      const again = await fetch(`${gw.url}/trpc/myCharacters`, { headers: { cookie } });
      expect(again.status).toBe(200);
    });
  }, 120_000);

  it('flags a character whose token SSO declared dead during a request; the flag survives a restart and the next login clears it', async () => {
    const character = sim.characters[3]!;
    const cookie = await withGateway(async (gw) => {
      const b = new Browserless(gw.url);
      sim.sso.setAutoConsent(character.id);
      await b.login();
      const [token] = await gw.tokens.find({ characterId: character.id });
      // SSO forgets the refresh token (consent revoked in-game); the access token then expires.
      await fetch(`${sim.ssoUrl}/v2/oauth/revoke`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('esikit-simulator:esikit-simulator-secret').toString('base64')}`,
        },
        body: new URLSearchParams({
          token: token!.refreshToken!,
          token_type_hint: 'refresh_token',
        }),
      });
      sim.clock.advance(25 * 60_000);
      // A normal request (no housekeeping run) finds the token dead.
      const wallet = await b.trpc('esi.wallet.getCharactersCharacterIdWallet', {
        character_id: character.id,
      });
      expect(wallet.status).not.toBe(200);
      expect(await gw.tokens.find({ characterId: character.id })).toEqual([]);
      expect(await b.home()).toContain('needs a new login');
      return b.cookie!;
    });
    await withGateway(async (gw) => {
      const b = new Browserless(gw.url);
      b.cookie = cookie;
      const flagged = await b.trpc<{ characterId: number; needsLogin: boolean }[]>('myCharacters');
      expect(flagged.body.result!.data).toContainEqual(
        expect.objectContaining({ characterId: character.id, needsLogin: true }),
      );
      sim.sso.setAutoConsent(character.id);
      await b.login();
      const after = await b.trpc<{ characterId: number; needsLogin: boolean }[]>('myCharacters');
      expect(after.body.result!.data).toContainEqual(
        expect.objectContaining({ characterId: character.id, needsLogin: false }),
      );
    });
  }, 120_000);
});
