import { SsoProtocolError, SsoUnavailableError } from '../errors.js';
import { abortedError, throwIfAborted } from './abort.js';

/** The fetch signature the SSO uses; `globalThis.fetch` (undici) by default. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface HttpContext {
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly userAgent: string;
}

/**
 * One HTTP request to SSO with a timeout, the caller's signal and our User-Agent. Network
 * failures, timeouts, 5xx and 429 become {@link SsoUnavailableError}; a caller abort rethrows
 * the signal's reason. Other statuses are returned for the OAuth layer to interpret.
 */
export async function ssoFetch(
  ctx: HttpContext,
  url: string | URL,
  init: RequestInit,
  signal: AbortSignal | undefined,
): Promise<Response> {
  throwIfAborted(signal, `SSO request to ${describeUrl(url)}`);
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  const signals = [timeout];
  if (signal) signals.push(signal);
  if (init.signal) signals.push(init.signal);
  const headers = new Headers(init.headers);
  headers.set('user-agent', ctx.userAgent);
  const where = describeUrl(url);
  let response: Response;
  try {
    response = await ctx.fetch(url, { ...init, headers, signal: AbortSignal.any(signals) });
  } catch (cause) {
    if (signal?.aborted) throw abortedError(signal, `SSO request to ${where}`);
    if (timeout.aborted)
      throw new SsoUnavailableError(
        'timeout',
        `SSO did not answer ${where} within ${ctx.timeoutMs} ms`,
        { cause },
      );
    throw new SsoUnavailableError(
      'network',
      `SSO could not be reached at ${where}: ${errorText(cause)}`,
      { cause },
    );
  }
  if (response.status >= 500 || response.status === 429) {
    await response.body?.cancel().catch(() => undefined);
    throw new SsoUnavailableError('status', `SSO answered ${response.status} for ${where}`, {
      status: response.status,
    });
  }
  return response;
}

/** GET a JSON document (discovery, JWKS). */
export async function fetchJson(
  ctx: HttpContext,
  url: string | URL,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const response = await ssoFetch(ctx, url, { headers: { accept: 'application/json' } }, signal);
  const where = describeUrl(url);
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new SsoProtocolError(`SSO answered ${response.status} for ${where}, expected 200`, {
      status: response.status,
    });
  }
  try {
    return await response.json();
  } catch (cause) {
    if (signal?.aborted) throw abortedError(signal, `SSO request to ${where}`);
    throw new SsoProtocolError(`SSO sent a body that is not JSON for ${where}`, { cause });
  }
}

/** URL without query string, so codes or tokens in it never reach a message. */
function describeUrl(url: string | URL): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

function errorText(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : '';
    return `${cause.message}${inner}`;
  }
  return String(cause);
}
