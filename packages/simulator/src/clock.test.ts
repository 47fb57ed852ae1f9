import { describe, expect, it } from 'vitest';
import { SimulatorClock } from './clock.js';

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, 20));
  return done;
};

describe('SimulatorClock.sleep', () => {
  it('on a frozen clock resolves only once advance() has moved it far enough', async () => {
    const clock = new SimulatorClock();
    clock.freeze(1_000_000);
    const short = clock.sleep(1_000);
    const long = clock.sleep(5_000);
    expect(clock.sleeping).toBe(2);
    clock.advance(999);
    expect(await settled(short)).toBe(false);
    clock.advance(1);
    await short;
    expect(await settled(long)).toBe(false);
    expect(clock.sleeping).toBe(1);
    clock.advance(10_000);
    await long;
    expect(clock.sleeping).toBe(0);
    await clock.sleep(0); // already due
  });

  it('rejects with the abort reason and forgets the sleeper', async () => {
    const clock = new SimulatorClock();
    clock.freeze();
    const ac = new AbortController();
    const p = clock.sleep(1_000, ac.signal);
    ac.abort(new Error('gone'));
    await expect(p).rejects.toThrow('gone');
    expect(clock.sleeping).toBe(0);
    await expect(clock.sleep(1, ac.signal)).rejects.toThrow('gone');
    await expect(clock.sleep(-1)).rejects.toThrow(/ms must be finite and >= 0, got -1/);
  });

  it('unfreeze() lets the sleepers wait out the rest in real time', async () => {
    const clock = new SimulatorClock();
    clock.freeze();
    const p = clock.sleep(10_000);
    clock.advance(9_990);
    clock.unfreeze();
    expect(clock.sleeping).toBe(0);
    await p; // ~10 ms of real time left
  });
});
