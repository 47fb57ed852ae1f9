import { Worker } from 'node:worker_threads';
import type { SimulatorOptions, SimulatorStats } from '@esikit/simulator';

/** A simulator on a worker thread, with a mirror of its frozen clock for the client. */
export interface RemoteSimulator {
  readonly esiUrl: string;
  /** The simulator's time, mirrored on this thread (it only moves through {@link advance}). */
  now(): number;
  advance(ms: number): Promise<void>;
  warm(paths: readonly string[], ua: string): Promise<void>;
  close(): Promise<SimulatorStats>;
}

export async function startRemoteSimulator(
  spec: string,
  at: number,
  options: SimulatorOptions,
): Promise<RemoteSimulator> {
  // Node 20 loads a worker's entry before `--import` hooks apply; a tiny eval entry that
  // imports the TypeScript module once the hooks are in place works on every version.
  const entry = new URL('./sim-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new Worker(
    `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`,
    { eval: true, workerData: { spec, at, options }, execArgv: ['--conditions=@esikit/source'] },
  );
  let next = 0;
  const pending = new Map<number, (value: { now?: number; stats?: SimulatorStats }) => void>();
  const ready = new Promise<{ esiUrl: string; now: number }>((resolve, reject) => {
    worker.once('error', reject);
    worker.on(
      'message',
      (m: {
        ready?: boolean;
        esiUrl?: string;
        now?: number;
        id?: number;
        stats?: SimulatorStats;
      }) => {
        if (m.ready) resolve({ esiUrl: m.esiUrl as string, now: m.now as number });
        else if (m.id !== undefined) pending.get(m.id)?.(m);
      },
    );
  });
  const { esiUrl, now } = await ready;
  let mirror = now;
  const call = (
    message: Record<string, unknown>,
  ): Promise<{ now?: number; stats?: SimulatorStats }> =>
    new Promise((resolve) => {
      const id = next++;
      pending.set(id, resolve);
      worker.postMessage({ ...message, id });
    });
  return {
    esiUrl,
    now: () => mirror,
    async advance(ms) {
      mirror = (await call({ type: 'advance', ms })).now ?? mirror + ms;
    },
    async warm(paths, ua) {
      await call({ type: 'warm', paths, ua });
    },
    async close() {
      const { stats } = await call({ type: 'close' });
      await worker.terminate();
      return stats as SimulatorStats;
    },
  };
}
