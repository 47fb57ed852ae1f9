import { describe, expect, it } from 'vitest';
import { SendFailure } from './exchange.js';

describe('SendFailure', () => {
  it('knows a request that never got a connection cannot have reached ESI', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT'])
      expect(new SendFailure(Object.assign(new Error(code), { code })).maybeSent).toBe(false);
  });

  it('treats every other failure as possibly sent (a write that acts is then not repeated)', () => {
    for (const code of [
      'ECONNRESET',
      'UND_ERR_SOCKET',
      'UND_ERR_HEADERS_TIMEOUT',
      'ESIKIT_SEND_TIMEOUT',
      undefined,
    ])
      expect(new SendFailure(Object.assign(new Error('x'), { code })).maybeSent).toBe(true);
    expect(new SendFailure('not an error').maybeSent).toBe(true);
  });
});
