// Starts bench/sim-worker.ts on a worker thread and mirrors its clock for this thread.
import { Worker } from 'node:worker_threads';
import type { SimulatorStats, SsoStats } from '@esikit/simulator';
import type { SimRequest } from './sim-worker.js';

export interface RemoteSim {
  readonly ssoUrl: string;
  /** The simulator's clock, mirrored here (real time plus the offset it has been advanced). */
  now(): number;
  issue(
    characterIndex: number,
    scopes: string[],
  ): Promise<{ access_token: string; refresh_token: string }>;
  advance(ms: number): Promise<void>;
  setFaults(faults: Extract<SimRequest, { type: 'faults' }>['faults']): Promise<void>;
  stats(): Promise<{ sso: SsoStats; violations: SimulatorStats['violations'] }>;
  close(): Promise<void>;
}

export async function startRemoteSim(): Promise<RemoteSim> {
  // Node 20 loads a worker's entry before `--import` hooks apply: a tiny eval entry registers
  // tsx first, then imports the TypeScript module.
  const entry = new URL('./sim-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new Worker(
    `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`,
    { eval: true, execArgv: ['--conditions=@esikit/source'] },
  );
  const pending = new Map<number, (m: { now: number; result: unknown }) => void>();
  let next = 0;
  const ready = new Promise<{ ssoUrl: string; now: number }>((resolve, reject) => {
    worker.once('error', reject);
    worker.on(
      'message',
      (m: { ready?: true; ssoUrl?: string; id?: number; now: number; result: unknown }) => {
        if (m.ready) resolve({ ssoUrl: m.ssoUrl!, now: m.now });
        else if (m.id !== undefined) pending.get(m.id)?.(m);
      },
    );
  });
  const started = await ready;
  let offset = started.now - Date.now();
  const call = async (request: SimRequest): Promise<unknown> => {
    const id = next++;
    const answer = await new Promise<{ now: number; result: unknown }>((resolve) => {
      pending.set(id, resolve);
      worker.postMessage({ id, request });
    });
    pending.delete(id);
    return answer.result;
  };
  return {
    ssoUrl: started.ssoUrl,
    now: () => Date.now() + offset,
    issue: async (characterIndex, scopes) =>
      (await call({ type: 'issue', characterIndex, scopes })) as {
        access_token: string;
        refresh_token: string;
      },
    advance: async (ms) => {
      await call({ type: 'advance', ms });
      offset += ms;
    },
    setFaults: async (faults) => {
      await call({ type: 'faults', faults });
    },
    stats: async () =>
      (await call({ type: 'stats' })) as {
        sso: SsoStats;
        violations: SimulatorStats['violations'];
      },
    close: async () => {
      await call({ type: 'close' });
      await worker.terminate();
    },
  };
}
