// One procedure call: picks core's handle method for the operation's paging kind and shapes the
// answer. Caching, coalescing, paging snapshots and ESI's limits are all core's.
import type { AccessTokenSource, EsiOperation, EsiResponse } from '@esikit/core';
import type { ResolvedOptions } from '../options.js';
import type { EsiMetadata } from '../types.js';
import type { ParsedInput } from './input.js';

/** What a procedure returns, and the window of the answer it came from. */
export interface Answer {
  readonly output: unknown;
  readonly expires: number | undefined;
}

/** A response's metadata, as procedures return it with `withMetadata`. */
export function metadataOf(res: EsiResponse<unknown>): EsiMetadata {
  return {
    expires: res.expires,
    lastModified: res.lastModified,
    etag: res.etag,
    pages: res.pages,
    fromCache: res.fromCache,
  };
}

export async function callOperation<TCtx>(
  o: ResolvedOptions<TCtx>,
  op: EsiOperation,
  input: ParsedInput,
  token: AccessTokenSource | undefined,
  signal: AbortSignal | undefined,
): Promise<Answer> {
  const handle = o.esi.call(op.id, input.esi, token ? { token } : {});
  const base = signal ? { signal } : {};
  const shaped = (data: unknown, res: EsiResponse<unknown>): Answer => ({
    output: o.withMetadata ? { data, ...metadataOf(res) } : data,
    expires: res.expires,
  });
  switch (op.pagination) {
    case 'none': {
      const res = await handle.resultWithResponse(base);
      return shaped(res.data, res);
    }
    case 'pages': {
      const res = input.allPages
        ? await handle.resultsWithResponse(base)
        : await handle.resultWithResponse({
            ...base,
            ...(input.page !== undefined ? { page: input.page } : {}),
          });
      return shaped(res.data, res);
    }
    case 'cursor': {
      const page = await handle.cursorPage({
        ...base,
        ...(input.before !== undefined ? { before: input.before } : {}),
        ...(input.after !== undefined ? { after: input.after } : {}),
      });
      return shaped({ records: [...page.records], before: page.before, after: page.after }, page);
    }
    case 'from_id': {
      // Newest first, until the id the caller already has (or the oldest record ESI keeps).
      const records: unknown[] = [];
      for await (const record of handle.fromId({
        ...base,
        ...(input.untilId !== undefined ? { untilId: input.untilId } : {}),
      }))
        records.push(record);
      const ids = records
        .map((r) => (r as { transaction_id?: unknown }).transaction_id)
        .filter((id): id is number => typeof id === 'number');
      const newestId = ids.length > 0 ? Math.max(...ids) : input.untilId;
      return { output: { records, newestId }, expires: undefined };
    }
  }
}
