// The pipeline's only HTTP call: one GET with a timeout, a User-Agent and a caller's AbortSignal.
import { request } from 'undici';

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

/**
 * GETs `url` and reads the whole body. Network failures, timeouts and aborts reject; any HTTP
 * status resolves (the caller decides what a 304 or a 503 means).
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
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
    if (value !== undefined)
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { status: response.statusCode, headers, body };
}
