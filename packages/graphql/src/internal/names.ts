// Names of ids across requests. `POST /universe/names` has no cache window, so core cannot cache
// it; names almost never change, so one answer serves every request for `ttlMs`, and concurrent
// requests asking for the same id share one lookup.
export class NameCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #clock: () => number;
  readonly #known = new Map<number, { name: string | null; at: number }>();
  readonly #pending = new Map<number, Promise<string | null>>();

  constructor(ttlMs: number, maxEntries: number, clock: () => number) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  /**
   * Names for `ids`: cached ones at once, ids another request is already looking up from that
   * lookup, the rest through `lookup` (one call for all of them).
   */
  async resolve(
    ids: readonly number[],
    lookup: (ids: number[]) => Promise<Map<number, string>>,
  ): Promise<(string | null)[]> {
    const now = this.#clock();
    const missing: number[] = [];
    for (const id of ids) {
      const hit = this.#known.get(id);
      if (hit && now - hit.at < this.#ttlMs) continue;
      if (!this.#pending.has(id)) missing.push(id);
    }
    if (missing.length > 0) {
      const batch = lookup(missing);
      for (const id of missing) {
        const one = batch.then((found) => {
          const name = found.get(id) ?? null;
          this.#remember(id, name);
          return name;
        });
        // A failed lookup is reported to its callers below, not cached or left unhandled.
        one.catch(() => undefined);
        this.#pending.set(id, one);
        void one.finally(() => this.#pending.delete(id)).catch(() => undefined);
      }
    }
    return Promise.all(
      ids.map((id): Promise<string | null> => {
        const hit = this.#known.get(id);
        if (hit && now - hit.at < this.#ttlMs) return Promise.resolve(hit.name);
        return this.#pending.get(id) ?? Promise.resolve(null);
      }),
    );
  }

  #remember(id: number, name: string | null): void {
    this.#known.delete(id);
    this.#known.set(id, { name, at: this.#clock() });
    // Oldest first in insertion order: drop from the front when full.
    if (this.#known.size > this.#maxEntries) {
      const oldest = this.#known.keys().next();
      if (!oldest.done) this.#known.delete(oldest.value);
    }
  }
}
