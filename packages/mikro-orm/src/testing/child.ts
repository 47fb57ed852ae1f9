// Child process of the cross-process tests: its own SSO client, manager and database
// connection pool on one PostgreSQL database shared with the parent. Not exported.
//   race:  `callers` concurrent validAccessToken() calls, answers with the access tokens.
//   crash: one validAccessToken(); when its refresh request is about to leave for SSO (lease
//          held), says so and hangs, waiting to be killed with SIGKILL.
import { createSso, TokenManager } from '@esikit/core/sso';
import { openEsikitDatabase } from '../index.js';

export interface ChildSetup {
  mode: 'race' | 'crash';
  url: string;
  ssoUrl: string;
  clientId: string;
  clientSecret: string;
  callbackUrl: string;
  tokenId: string;
  /** Simulator time minus real time, so both processes share the simulator's clock. */
  clockOffsetMs: number;
  callers: number;
  /** The child's lease ttl: how long the parent waits after a crash. */
  leaseTtlMs: number;
}

const send = (message: unknown) => process.send?.(message);

process.once('message', (raw) => {
  void run(raw as ChildSetup).catch((error: unknown) =>
    send({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
  );
});

async function run(setup: ChildSetup): Promise<void> {
  const db = await openEsikitDatabase({ url: setup.url });
  const clock = () => Date.now() + setup.clockOffsetMs;
  const fetchImpl: typeof fetch = async (input, init) => {
    // The SSO client posts its form as URLSearchParams or a string.
    const body =
      init?.body instanceof URLSearchParams
        ? init.body.toString()
        : typeof init?.body === 'string'
          ? init.body
          : '';
    if (setup.mode === 'crash' && body.includes('grant_type=refresh_token')) {
      send({ sending: true });
      return new Promise<Response>(() => {}); // never answers: the parent kills us here
    }
    return fetch(input, init);
  };
  const tokens = new TokenManager({
    sso: createSso({
      clientId: setup.clientId,
      clientSecret: setup.clientSecret,
      callbackUrl: setup.callbackUrl,
      ssoUrl: setup.ssoUrl,
      clock,
      timeoutMs: 1000,
      fetch: fetchImpl,
    }),
    store: db.store,
    leaseTtlMs: setup.leaseTtlMs,
  });
  send({ ready: true });
  await new Promise((resolve) => process.once('message', resolve));
  try {
    const accessTokens = await Promise.all(
      Array.from({ length: setup.callers }, () => tokens.validAccessToken(setup.tokenId)),
    );
    send({ accessTokens });
  } finally {
    await db.close();
    process.disconnect?.();
  }
}
