import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SsoOptionError, TokenError } from './errors.js';
import type { CallbackRedirect, StoreCallOptions, TokenFilter, TokenStore } from './store.js';
import { describe, type NewToken, type Token, type TokenChanges } from './token.js';

/** Options of {@link TokenCipher}. */
export interface TokenCipherOptions {
  /**
   * Keys by key id: 32 bytes each, as a Buffer/Uint8Array or a base64 string. Keep retired keys
   * here until every token has been rewritten; remove them after.
   */
  keys: Readonly<Record<string, Uint8Array | string>>;
  /** The key id new ciphertexts are written with. */
  currentKeyId: string;
}

// v1 (before tokens were bound to their row) authenticated only the field name; still read.
const PREFIX_V1 = 'esikit:v1:';
// v2: the associated data is the caller's full context (field and owner, see EncryptedTokenStore).
const PREFIX = 'esikit:v2:';
// At most 32 characters: a 256-bit key in base64 (43-44) or hex (64) can never pass for an id,
// so a key put in the id's place is refused without being shown.
const KEY_ID_RE = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * AES-256-GCM for secrets at rest. Ciphertexts carry their key id
 * (`esikit:v2:<keyId>:<iv>:<ciphertext>:<tag>`), so keys can rotate: encrypt with the current
 * key, decrypt with any known one. The `context` is authenticated with it, so a ciphertext
 * only decrypts where it was written (`esikit:v1:` ciphertexts, from before contexts named their
 * owner, are read with the legacy context).
 *
 * @example
 * const cipher = new TokenCipher({ keys: { k2026: process.env.TOKEN_KEY! }, currentKeyId: 'k2026' });
 */
export class TokenCipher {
  readonly #keys: Map<string, Buffer>;
  readonly #current: string;

  constructor(options: TokenCipherOptions) {
    if (options === null || typeof options !== 'object')
      throw new SsoOptionError(`TokenCipher options must be an object, got ${describe(options)}`);
    if (options.keys === null || typeof options.keys !== 'object')
      throw new SsoOptionError(
        `keys must be an object of key id to 32-byte key, got ${describe(options.keys)}`,
      );
    this.#keys = new Map();
    const entries = Object.entries(options.keys);
    for (const [index, [id, raw]] of entries.entries()) {
      // Neither the id nor the value of a refused entry is shown: either may be a key.
      if (!KEY_ID_RE.test(id))
        throw new SsoOptionError(
          `keys: the id of entry ${index + 1} of ${entries.length} (${describe(id)}) must be 1-32 letters, digits, "_", "." or "-"`,
        );
      const key =
        typeof raw === 'string'
          ? Buffer.from(raw, 'base64')
          : raw instanceof Uint8Array
            ? Buffer.from(raw)
            : undefined;
      // The key itself never goes into a message, only its length; nor its id (a key or a
      // token may have been put in the id's place): the entry is named by its position.
      if (key?.length !== 32)
        throw new SsoOptionError(
          `keys: entry ${index + 1} of ${entries.length} must be a 32-byte key (AES-256), got ${key === undefined ? describe(raw) : `${key.length} bytes`}`,
        );
      this.#keys.set(id, key);
    }
    if (typeof options.currentKeyId !== 'string' || !this.#keys.has(options.currentKeyId))
      throw new SsoOptionError(
        `currentKeyId must name one of the ${this.#keys.size} keys given, got ${describe(options.currentKeyId)}`,
      );
    this.#current = options.currentKeyId;
  }

  /** True if `value` is one of our ciphertexts (any key id). */
  static isCiphertext(value: string): boolean {
    return value.startsWith(PREFIX) || value.startsWith(PREFIX_V1);
  }

  /** The key id a ciphertext was written with. */
  static keyIdOf(value: string): string | undefined {
    // Both prefixes have the same length.
    return TokenCipher.isCiphertext(value) ? value.slice(PREFIX.length).split(':')[0] : undefined;
  }

  /**
   * Encrypts with the current key; `context` is bound as associated data: name the field and
   * what it belongs to (e.g. `refreshToken of character 123`), so it cannot be moved elsewhere.
   */
  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.#current)!, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.#current}:${iv.toString('base64url')}:${body.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}`;
  }

  /**
   * Decrypts with the key the ciphertext names; `context` must be the one it was encrypted with
   * (`legacyContext` for `esikit:v1:` ciphertexts). Plaintext (not yet encrypted) passes through.
   */
  decrypt(value: string, context: string, legacyContext: string = context): string {
    if (!TokenCipher.isCiphertext(value)) return value;
    const aad = value.startsWith(PREFIX_V1) ? legacyContext : context;
    const [keyId, iv, body, tag, ...extra] = value.slice(PREFIX.length).split(':');
    const key = keyId === undefined ? undefined : this.#keys.get(keyId);
    if (key === undefined)
      throw new TokenError(
        'ESIKIT_TOKEN_DECRYPT_FAILED',
        `a stored ${context} was encrypted with key id ${showKeyId(keyId)}, which is not configured`,
      );
    if (iv === undefined || body === undefined || tag === undefined || extra.length > 0)
      throw new TokenError(
        'ESIKIT_TOKEN_DECRYPT_FAILED',
        `a stored ${context} is not a well-formed ciphertext`,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch (cause) {
      throw new TokenError(
        'ESIKIT_TOKEN_DECRYPT_FAILED',
        `a stored ${context} failed authentication (tampered, or the wrong key under id ${showKeyId(keyId)})`,
        { cause },
      );
    }
  }
}

/**
 * Wraps any {@link TokenStore} so access tokens, refresh tokens and PKCE verifiers are stored
 * encrypted with a {@link TokenCipher}. Everything else (ids, characters, scopes, leases)
 * passes through, so queries work unchanged. Tokens written before encryption was turned on
 * are read as they are and encrypted on their next write.
 *
 * @example
 * const store = new EncryptedTokenStore(new RedisTokenStore({ redis }), cipher);
 */
export class EncryptedTokenStore implements TokenStore {
  readonly #inner: TokenStore;
  readonly #cipher: TokenCipher;

  constructor(inner: TokenStore, cipher: TokenCipher) {
    if (
      inner === null ||
      typeof inner !== 'object' ||
      typeof (inner as Partial<TokenStore>).get !== 'function'
    )
      throw new SsoOptionError(`inner must be a TokenStore, got ${describe(inner)}`);
    if (!(cipher instanceof TokenCipher))
      throw new SsoOptionError(`cipher must be a TokenCipher, got ${describe(cipher)}`);
    this.#inner = inner;
    this.#cipher = cipher;
  }

  async create(token: NewToken, now: number, options?: StoreCallOptions): Promise<Token> {
    const stored = await this.#inner.create(
      this.#seal<NewToken>(token, token.characterId),
      now,
      options,
    );
    return { ...stored, accessToken: token.accessToken, refreshToken: token.refreshToken };
  }

  async get(id: string, options?: StoreCallOptions): Promise<Token | undefined> {
    const token = await this.#inner.get(id, options);
    return token === undefined ? undefined : this.#open(token);
  }

  async find(filter: TokenFilter, options?: StoreCallOptions): Promise<Token[]> {
    return (await this.#inner.find(filter, options)).map((t) => this.#open(t));
  }

  async update(
    id: string,
    expectedVersion: number,
    changes: TokenChanges,
    now: number,
    options?: StoreCallOptions,
  ): Promise<Token | undefined> {
    let sealed = changes;
    if (typeof changes.accessToken === 'string' || typeof changes.refreshToken === 'string') {
      // Secrets are bound to the token's character (which never changes), so learn it first.
      const current = await this.#inner.get(id, options);
      if (current === undefined || current.version !== expectedVersion) return undefined;
      sealed = this.#seal(changes, current.characterId);
    }
    const updated = await this.#inner.update(id, expectedVersion, sealed, now, options);
    return updated === undefined ? undefined : this.#open(updated);
  }

  delete(id: string, expectedVersion?: number, options?: StoreCallOptions): Promise<boolean> {
    return this.#inner.delete(id, expectedVersion, options);
  }

  acquireLease(
    key: string,
    holder: string,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean> {
    return this.#inner.acquireLease(key, holder, ttlMs, options);
  }

  renewLease(
    key: string,
    holder: string,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean> {
    return this.#inner.renewLease(key, holder, ttlMs, options);
  }

  releaseLease(key: string, holder: string, options?: StoreCallOptions): Promise<void> {
    return this.#inner.releaseLease(key, holder, options);
  }

  saveCallbackRedirect(redirect: CallbackRedirect, options?: StoreCallOptions): Promise<void> {
    const codeVerifier =
      redirect.codeVerifier === undefined
        ? undefined
        : this.#cipher.encrypt(redirect.codeVerifier, loginContext(redirect.state));
    return this.#inner.saveCallbackRedirect({ ...redirect, codeVerifier }, options);
  }

  async takeCallbackRedirect(
    state: string,
    options?: StoreCallOptions,
  ): Promise<CallbackRedirect | undefined> {
    const redirect = await this.#inner.takeCallbackRedirect(state, options);
    if (redirect?.codeVerifier === undefined) return redirect;
    return {
      ...redirect,
      codeVerifier: this.#cipher.decrypt(
        redirect.codeVerifier,
        loginContext(redirect.state),
        'codeVerifier',
      ),
    };
  }

  deleteCallbackRedirectsBefore(cutoff: number, options?: StoreCallOptions): Promise<number> {
    return this.#inner.deleteCallbackRedirectsBefore(cutoff, options);
  }

  #seal<T extends TokenChanges>(fields: T, characterId: number): T {
    const out: { -readonly [K in keyof T]: T[K] } = { ...fields };
    if (typeof fields.accessToken === 'string')
      out.accessToken = this.#cipher.encrypt(
        fields.accessToken,
        tokenContext('accessToken', characterId),
      );
    if (typeof fields.refreshToken === 'string')
      out.refreshToken = this.#cipher.encrypt(
        fields.refreshToken,
        tokenContext('refreshToken', characterId),
      );
    return out;
  }

  #open(token: Token): Token {
    return {
      ...token,
      accessToken: this.#cipher.decrypt(
        token.accessToken,
        tokenContext('accessToken', token.characterId),
        'accessToken',
      ),
      refreshToken:
        token.refreshToken === undefined
          ? undefined
          : this.#cipher.decrypt(
              token.refreshToken,
              tokenContext('refreshToken', token.characterId),
              'refreshToken',
            ),
    };
  }
}

/**
 * A key id read from a stored ciphertext, shown only if it is short and has the form of one:
 * a tampered or foreign value may be anything, a token included.
 */
function showKeyId(keyId: string | undefined): string {
  return keyId !== undefined && keyId.length <= 16 && KEY_ID_RE.test(keyId)
    ? JSON.stringify(keyId)
    : describe(keyId);
}

/**
 * A token's secrets are bound to its character: the id is assigned by the inner store only
 * after the ciphertext is written, the character id is known before and never changes.
 */
function tokenContext(field: 'accessToken' | 'refreshToken', characterId: number): string {
  return `${field} of character ${characterId}`;
}

/** A PKCE verifier is bound to its login's `state`, the key it is stored under. */
function loginContext(state: string): string {
  return `codeVerifier of login ${state}`;
}
