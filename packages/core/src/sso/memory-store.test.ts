import { afterEach, beforeEach, describe, it } from 'vitest';
import { MemoryTokenStore } from './memory-store.js';
import { tokenStoreContract } from '@esikit/core/sso/testing';

tokenStoreContract('MemoryTokenStore', { describe, it, beforeEach, afterEach }, async () => ({
  store: new MemoryTokenStore(),
}));
