// The live form of a cached GET: the data now, then again whenever ESI's cache window rolls over
// with changed data. It waits out each window on the configured clock and only then asks core
// again, which revalidates with If-None-Match; an unchanged answer (same ETag) is not emitted.
import type { AccessTokenSource, EsiOperation } from '@esikit/core';
import type { ResolvedOptions } from '../options.js';
import { metadataOf } from './call.js';
import type { ParsedInput } from './input.js';

export async function* liveOperation<TCtx>(
  o: ResolvedOptions<TCtx>,
  op: EsiOperation,
  input: ParsedInput,
  token: AccessTokenSource | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<unknown, void> {
  const handle = o.esi.call(op.id, input.esi, token ? { token } : {});
  let last: string | undefined;
  let first = true;
  while (signal?.aborted !== true) {
    // X-Pages routes are watched whole: every page, one snapshot.
    const res = await handle.resultsWithResponse(signal ? { signal } : {});
    const version = res.etag ?? res.lastModified;
    if (first || version === undefined || version !== last) {
      yield o.withMetadata ? { data: res.data, ...metadataOf(res) } : res.data;
    }
    first = false;
    last = version;
    const now = o.liveClock.now();
    // Asking again before Expires would be answered from cache at best; wait the window out.
    const wait =
      res.expires !== undefined && res.expires > now ? res.expires - now : o.fallbackIntervalMs;
    try {
      await o.liveClock.sleep(wait, signal);
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
  }
}
