import type * as Undici from 'undici';
import type { Agent, Dispatcher } from 'undici';
import { Collector } from './collector.js';

// undici costs ≈ 50 ms and ≈ 10 MB to load, and creating a client (or a schema or router built
// on one) sends nothing: it is loaded with the first request, once per process.
let undici: Promise<typeof Undici> | undefined;
const loadUndici = (): Promise<typeof Undici> => (undici ??= import('undici'));

/** One HTTP exchange, body read in full. Header names are lower case, repeated ones joined. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
}

export interface SendOptions {
  readonly method: Dispatcher.HttpMethod;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly signal: AbortSignal | undefined;
  /**
   * A per-call limit (ms) for the whole exchange, headers and body. Without it the pool's
   * connect and read timeouts apply.
   */
  readonly timeout: number | undefined;
}

/** Thrown when a per-call {@link SendOptions.timeout} ran out. */
export class SendTimeoutError extends Error {
  readonly code = 'ESIKIT_SEND_TIMEOUT';
}

/**
 * The single connection pool to ESI (keep-alive, bounded connections) and the one place that
 * talks HTTP. Everything above it works on {@link RawResponse}s.
 */
export class Transport {
  readonly #origin: string;
  /** The caller's dispatcher, or the pool once created; unset until the first request. */
  #dispatcher: Dispatcher | undefined;
  #owned: Agent | undefined;
  #starting: Promise<Dispatcher> | undefined;
  #closed = false;
  readonly #pool: Agent.Options;

  constructor(
    origin: string,
    options: {
      connections: number;
      connectTimeout: number;
      readTimeout: number;
      dispatcher: Dispatcher | undefined;
    },
  ) {
    this.#origin = origin;
    this.#dispatcher = options.dispatcher;
    this.#pool = {
      connections: options.connections,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.connectTimeout },
      headersTimeout: options.readTimeout,
      bodyTimeout: options.readTimeout,
    };
  }

  /** Loads undici and creates the pool, once; requests that arrive meanwhile share it. */
  #start(): Promise<Dispatcher> {
    return (this.#starting ??= loadUndici().then(async ({ Agent }) => {
      const agent = new Agent(this.#pool);
      // Closed before its first request: requests fail as they would on a closed pool.
      if (this.#closed) await agent.close();
      this.#owned = agent;
      return (this.#dispatcher = agent);
    }));
  }

  async send(options: SendOptions): Promise<RawResponse> {
    let signal = options.signal;
    let timer: AbortSignal | undefined;
    if (options.timeout !== undefined) {
      timer = AbortSignal.timeout(options.timeout);
      signal = signal ? AbortSignal.any([signal, timer]) : timer;
    }
    try {
      // Once started, no extra await: the hot path stays as it was.
      const dispatcher = this.#dispatcher ?? (await this.#start());
      return await new Promise<RawResponse>((resolve, reject) => {
        dispatcher.dispatch(
          {
            origin: this.#origin,
            path: options.path,
            method: options.method,
            headers: options.headers,
            body: options.body ?? null,
          },
          new Collector(signal, resolve, reject),
        );
      });
    } catch (error) {
      if (timer?.aborted && !options.signal?.aborted) {
        throw new SendTimeoutError(`no complete response within ${options.timeout} ms`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Closes the pool this transport created (a caller's dispatcher is left alone). */
  async close(): Promise<void> {
    this.#closed = true;
    // A pool still being created is closed once it exists; a failed start left nothing open.
    if (this.#starting) await this.#starting.catch(() => undefined);
    await this.#owned?.close();
  }
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ESIKIT_SEND_TIMEOUT',
]);

/** True when undici gave up waiting (connect, headers or body). */
export function isTimeout(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    TIMEOUT_CODES.has((error as { code?: string }).code ?? '')
  );
}
