import { randomBytes } from 'node:crypto';

/**
 * Where the SSO's identifiers come from (codes, refresh tokens, `jti`s, owner hashes, key ids).
 * Without a seed they are cryptographically random; with one they repeat run after run, so a
 * recorded scenario can be replayed. Key material is always random: WebCrypto cannot be seeded.
 */
export class IdSource {
  readonly #next: ((n: number) => Buffer) | undefined;

  constructor(seed?: number) {
    if (seed === undefined) return;
    // splitmix32: tiny, fast and well distributed; predictability is the point here.
    let state = seed >>> 0;
    const word = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#next = (n) => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i += 4) {
        const w = word();
        for (let b = 0; b < 4 && i + b < n; b++) out[i + b] = (w >>> (8 * b)) & 0xff;
      }
      return out;
    };
  }

  bytes(n: number): Buffer {
    return this.#next ? this.#next(n) : randomBytes(n);
  }

  /** An opaque token: base64url of `n` bytes. */
  token(n = 24): string {
    return this.bytes(n).toString('base64url');
  }

  /** A version-4 UUID, like EVE's `jti` claims. */
  uuid(): string {
    const b = this.bytes(16);
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** An owner hash shaped like EVE's: base64 of a 20-byte digest. */
  ownerHash(): string {
    return this.bytes(20).toString('base64');
  }
}
