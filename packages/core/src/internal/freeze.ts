/**
 * Deep-freezes a parsed JSON value in place and returns it. Results are frozen once, when they
 * become shared (stored in the cache, read from a remote store, or coalesced), so a cache hit,
 * a 304 and every coalesced caller can share one object that no caller can change for the
 * others. Freezing is O(size) once per body; a copy per caller would cost that on every hit.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  // An explicit stack: ESI bodies can nest deep enough (killmails, fittings) to make recursion
  // a needless risk, and it is faster.
  const stack: object[] = [value];
  while (stack.length > 0) {
    const o = stack.pop() as Record<string, unknown>;
    Object.freeze(o);
    if (Array.isArray(o)) {
      for (let i = 0; i < o.length; i++) {
        const v: unknown = o[i];
        if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) stack.push(v);
      }
    } else {
      for (const k in o) {
        const v = o[k];
        if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) stack.push(v);
      }
    }
  }
  return value;
}
