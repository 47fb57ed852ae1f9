/** Small statistics helpers for the benchmark (nanosecond samples in, milliseconds out). */

export interface Summary {
  readonly n: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export function summarize(samplesNs: readonly bigint[]): Summary {
  const ms = samplesNs.map((s) => Number(s) / 1e6).sort((a, b) => a - b);
  const at = (q: number): number =>
    ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? Number.NaN;
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  return { n: ms.length, meanMs: mean, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** Times `fn` once, in nanoseconds. */
export async function time(fn: () => Promise<unknown>): Promise<bigint> {
  const start = process.hrtime.bigint();
  await fn();
  return process.hrtime.bigint() - start;
}

export function fmtMs(ms: number): string {
  if (ms < 0.1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(1)} ms`;
}
