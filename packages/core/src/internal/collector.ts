import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { RawResponse } from './transport.js';

/**
 * An undici dispatch handler that reads a whole response into a {@link RawResponse}.
 *
 * ESI bodies are small JSON documents read in full, so the stream machinery of undici's
 * `request()` (a `Readable` per response, an `AsyncResource`, the body mixin) is pure overhead
 * here: collecting the chunks directly saves a few microseconds and some garbage per request.
 * The errors are undici's own, exactly as `request()` reports them.
 */
export class Collector implements Dispatcher.DispatchHandler {
  readonly #signal: AbortSignal | undefined;
  readonly #resolve: (response: RawResponse) => void;
  readonly #reject: (reason: unknown) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #onAbort: (() => void) | undefined;
  #settled = false;
  #status = 0;
  #headers: IncomingHttpHeaders | undefined;
  #chunks: Buffer[] = [];

  constructor(
    signal: AbortSignal | undefined,
    resolve: (response: RawResponse) => void,
    reject: (reason: unknown) => void,
  ) {
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    if (signal) {
      this.#onAbort = (): void => {
        this.#controller?.abort(signal.reason as Error);
        this.#fail(signal.reason);
      };
      signal.addEventListener('abort', this.#onAbort, { once: true });
      if (signal.aborted) this.#fail(signal.reason);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#signal?.aborted) controller.abort(this.#signal.reason as Error);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    // 1xx informational answers come before the real one.
    if (statusCode < 200) return;
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#detach();
    // undici already lower-cases names; repeated headers come as arrays.
    const headers: Record<string, string> = {};
    const raw = this.#headers ?? {};
    for (const name in raw) {
      const value = raw[name];
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    let text = body.toString('utf8');
    // As the Fetch body mixin's text() does: a byte order mark is not part of the JSON.
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.#resolve({ status: this.#status, headers, text });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.#fail(error);
  }

  #fail(reason: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#detach();
    this.#reject(reason);
  }

  #detach(): void {
    if (this.#onAbort) this.#signal?.removeEventListener('abort', this.#onAbort);
  }
}
