// The pipeline's only HTTP call: one GET with a timeout, a User-Agent and a caller's AbortSignal.
import { request } from 'undici';
import { CodegenError } from './errors.js';

/** What {@link httpGet} returns: the status, lower-cased headers and the whole body. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Options of {@link httpGet}. */
export interface HttpGetOptions {
  readonly headers: Readonly<Record<string, string>>;
  /** Gives up after this many milliseconds, connecting and reading included. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

function describe(error: unknown): string {
  const err = error as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = typeof err.code === 'string' ? err.code : err.cause?.code;
  const message = typeof err.message === 'string' ? err.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

function limited(url: string, status: number, headers: Record<string, string>): CodegenError {
  const wait = status === 429 ? headers['retry-after'] : headers['x-esi-error-limit-reset'];
  const after = wait !== undefined ? `; ESI asks to wait ${wait} s` : '';
  return new CodegenError(
    'ESIKIT_CODEGEN_RATE_LIMITED',
    `GET ${url} answered HTTP ${status} (${status === 429 ? 'rate limited' : 'error limited'})${after}. Try again later.`,
  );
}

/**
 * GETs `url` and reads the whole body. Any HTTP status resolves (the caller decides what a 304 or
 * a 503 means) except 420 and 429: those throw, so that no caller asks ESI again before it allows.
 *
 * @throws the caller's abort reason when `signal` aborts; {@link CodegenError}
 * `ESIKIT_CODEGEN_RATE_LIMITED` on 420/429; otherwise `ESIKIT_CODEGEN_FETCH_FAILED` naming the URL
 * and the network failure or timeout.
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const response = await request(url, {
      method: 'GET',
      headers: { ...options.headers },
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const body = Buffer.from(await response.body.arrayBuffer());
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) {
        headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
    }
    if (response.statusCode === 420 || response.statusCode === 429)
      throw limited(url, response.statusCode, headers);
    return { status: response.statusCode, headers, body };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof CodegenError) throw error;
    const reason = timeout.aborted ? `timed out after ${options.timeoutMs} ms` : describe(error);
    throw new CodegenError('ESIKIT_CODEGEN_FETCH_FAILED', `GET ${url} failed: ${reason}`, {
      cause: error,
    });
  }
}
