// Issue 7 §2, first bullet: cached, revalidated (304) and coalesced results were one shared
// mutable object, so a caller that changed its result changed every later caller's data.
import { describe, expect, it } from 'vitest';
import { harnessPerTest, tick } from '../test/helpers.js';

const start = harnessPerTest();

/** Tries to change a result the way careless callers do; reports whether it took. */
function vandalise(value: unknown): boolean {
  try {
    if (Array.isArray(value)) {
      value.push(-1);
      value[0] = -2;
    } else if (typeof value === 'object' && value !== null) {
      (value as Record<string, unknown>).vandalised = true;
    }
    return true;
  } catch {
    return false;
  }
}

describe('results no caller can change for another (issue 7 §2)', () => {
  it('a cache hit is not changed by what an earlier caller did to its result', async () => {
    const h = await start();
    const first = await h.esi.request('GetAlliances').result();
    const pristine = structuredClone(first);
    vandalise(first);
    const second = await h.esi.request('GetAlliances').resultWithResponse();
    expect(second.fromCache).toBe(true);
    expect(second.data).toEqual(pristine);
    expect(h.seen('GetAlliances')).toBe(1);
  });

  it('nested objects of a cached result are protected too', async () => {
    const h = await start();
    const first = (await h.esi.request('GetStatus').result()) as unknown as Record<string, unknown>;
    const pristine = structuredClone(first);
    try {
      first.players = -1;
    } catch {
      // frozen: the point of the test
    }
    expect(await h.esi.request('GetStatus').result()).toEqual(pristine);
  });

  it('a 304 answer is not changed by what the caller before the revalidation did', async () => {
    const h = await start();
    const first = await h.esi.request('GetAlliances').resultWithResponse();
    const pristine = structuredClone(first.data);
    vandalise(first.data);
    h.sim.clock.advance(first.expires! - h.sim.clock.now() + 1000);
    const revalidated = await h.esi.request('GetAlliances').resultWithResponse();
    expect(h.esi.stats().notModified).toBe(1);
    expect(revalidated.data).toEqual(pristine);
  });

  it('coalesced callers cannot change each other’s result', async () => {
    const h = await start(
      { faults: { routes: { GetAlliances: { latencyMs: 100 } } } },
      { cache: false },
    );
    const a = h.esi.request('GetAlliances').result();
    await tick(10);
    const b = h.esi.request('GetAlliances').result();
    const [ra, rb] = await Promise.all([a, b]);
    expect(h.seen('GetAlliances')).toBe(1);
    const pristine = structuredClone(rb);
    vandalise(ra);
    expect(rb).toEqual(pristine);
  });

  it('results are frozen, so a mutation fails loudly instead of corrupting the cache', async () => {
    const h = await start();
    const res = await h.esi.request('GetAlliances').resultWithResponse();
    expect(Object.isFrozen(res.data)).toBe(true);
    expect(Object.isFrozen(res.headers)).toBe(true);
    expect(vandalise(res.data)).toBe(false);
  });

  it('a result no one else holds (cache off, not coalesced) is the caller’s own', async () => {
    const h = await start({}, { cache: false });
    const a = await h.esi.request('GetAlliances').result();
    expect(Object.isFrozen(a)).toBe(false);
  });

  it('freezeResults: false hands out unfrozen data (the documented opt-out)', async () => {
    const h = await start({}, { freezeResults: false });
    const res = await h.esi.request('GetAlliances').resultWithResponse();
    expect(Object.isFrozen(res.data)).toBe(false);
  });
});
