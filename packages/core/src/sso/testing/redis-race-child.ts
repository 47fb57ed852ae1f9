// Child process of the cross-process refresh race test: its own SSO client, its own manager,
// its own Redis connection, racing the parent process on one token. Not exported.
import { Redis } from 'ioredis';
import { TokenManager } from '../manager.js';
import { RedisTokenStore } from '../redis-store.js';
import { createSso } from '../sso.js';

interface Setup {
  ssoUrl: string;
  clientId: string;
  clientSecret: string;
  callbackUrl: string;
  keyPrefix: string;
  redisUrl: string;
  tokenId: string;
  /** Simulator time minus real time, so both processes share the simulator's clock. */
  clockOffsetMs: number;
  callers: number;
}

const send = (message: unknown) => process.send?.(message);

process.once('message', (raw) => {
  const setup = raw as Setup;
  const redis = new Redis(setup.redisUrl, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
  });
  const clock = () => Date.now() + setup.clockOffsetMs;
  const tokens = new TokenManager({
    sso: createSso({
      clientId: setup.clientId,
      clientSecret: setup.clientSecret,
      callbackUrl: setup.callbackUrl,
      ssoUrl: setup.ssoUrl,
      clock,
    }),
    store: new RedisTokenStore({ redis, keyPrefix: setup.keyPrefix }),
  });
  send({ ready: true });
  process.once('message', () => {
    void Promise.all(
      Array.from({ length: setup.callers }, () => tokens.validAccessToken(setup.tokenId)),
    )
      .then((accessTokens) => send({ accessTokens }))
      .catch((error: unknown) =>
        send({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
      )
      .finally(() => {
        redis.disconnect();
        process.disconnect?.();
      });
  });
});
