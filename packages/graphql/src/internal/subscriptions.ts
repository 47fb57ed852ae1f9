// Live data: a subscription field emits its query field's value now, then again each time
// ESI's cache window rolls over with new data. It only asks after the window has expired, and
// core revalidates with the ETag, so an unchanged window costs a 304 and emits nothing.
import type { GraphQLFieldResolver } from 'graphql';
import { stateOf } from './context.js';
import { pathOf, resolveOperation } from './resolvers.js';

/** How a subscription waits: the clock ESI's `Expires` is compared with, and how often it looks. */
export interface SubscriptionTiming {
  readonly clock: () => number;
  readonly pollIntervalMs: number;
}

const timings = new WeakMap<object, SubscriptionTiming>();

/** Lets the plugin give a request's state the timing its options asked for. */
export function setTiming(state: object, timing: SubscriptionTiming): void {
  timings.set(state, timing);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export const subscribeOperation: GraphQLFieldResolver<unknown, unknown, Record<string, unknown>> = (
  parent,
  args,
  context,
  info,
) => {
  const state = stateOf(context);
  const timing = timings.get(state) ?? { clock: Date.now, pollIntervalMs: 1000 };
  const path = pathOf(info);
  return (async function* watch() {
    let first = true;
    while (!state.signal?.aborted) {
      const before = state.meta.length;
      const value = await resolveOperation(parent, args, context, info);
      const meta = state.meta.slice(before).find((m) => m.path === path);
      // A subscription's context lives as long as it does: keep its metadata from growing.
      state.meta.splice(before);
      // Emit the first value and every one ESI sent afresh (not a cache hit or a 304).
      if (first || meta?.fromCache === false) yield value;
      first = false;
      const expires = meta?.expires;
      if (expires === undefined) return;
      while (!state.signal?.aborted && timing.clock() < expires)
        await sleep(
          Math.min(Math.max(expires - timing.clock(), 1), timing.pollIntervalMs),
          state.signal,
        );
    }
  })();
};

export const passThrough: GraphQLFieldResolver<unknown, unknown> = (payload) => payload;
