// What every route module gets: the wired parts of one gateway.
import type { EsiClientWithTags } from '@esikit/core';
import type { TokenManager } from '@esikit/core/sso';
import type { EsikitDatabase } from '@esikit/mikro-orm';
import type { Simulator } from '@esikit/simulator';
import type { GatewayConfig } from '../config.js';
import type { DeadCharacters } from './dead-characters.js';
import type { GatewayMetrics } from './metrics.js';
import type { SessionStore } from './sessions.js';

export interface GatewayContext {
  readonly config: GatewayConfig;
  /** The site's origin; Origin headers and returnUrls are checked against it. */
  readonly origin: string;
  readonly simulated: boolean;
  readonly sim: Simulator | undefined;
  readonly esi: EsiClientWithTags;
  readonly tokens: TokenManager;
  readonly db: EsikitDatabase;
  readonly metrics: GatewayMetrics;
  readonly sessions: SessionStore;
  readonly dead: DeadCharacters;
  /** Cookies get `Secure` when the site is served over https. */
  readonly secure: boolean;
}
