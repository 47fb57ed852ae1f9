// Test support: forks testing/child.ts and talks to it. Not exported.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildSetup } from './child.js';

export interface Child {
  readonly process: ChildProcess;
  /** The next message from the child; rejects if it exits first. */
  next(): Promise<Record<string, unknown>>;
  send(message: unknown): void;
}

export async function forkChild(setup: ChildSetup): Promise<Child> {
  const child = fork(fileURLToPath(new URL('./child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', '--conditions=@esikit/source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) =>
        reject(new Error(`child exited (${code ?? signal}) before answering`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as Record<string, unknown>);
      });
    });
  const ready = next();
  child.send(setup);
  const first = await ready;
  if (first.ready !== true) {
    child.kill('SIGKILL');
    throw new Error(`child failed to start: ${JSON.stringify(first)}`);
  }
  return { process: child, next, send: (m) => child.send(m as object) };
}
