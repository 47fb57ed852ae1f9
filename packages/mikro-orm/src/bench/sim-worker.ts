// The simulator on a thread of its own for the benchmark, as SSO runs on CCP's machines: its
// JWT signing and the store's database round trips do not queue behind each other on one event
// loop. The parent drives it with messages (see remote-sim.ts).
import { parentPort } from 'node:worker_threads';
import { startSimulator, type SsoFaults } from '@esikit/simulator';
import { specFile } from '../testing/sim.js';

export type SimRequest =
  | { type: 'issue'; characterIndex: number; scopes: string[] }
  | { type: 'advance'; ms: number }
  | { type: 'faults'; faults: SsoFaults }
  | { type: 'stats' }
  | { type: 'close' };

const port = parentPort;
if (!port) throw new Error('sim-worker.ts runs as a worker thread');
const sim = await startSimulator({ spec: specFile() });

port.on('message', ({ id, request }: { id: number; request: SimRequest }) => {
  void (async () => {
    let result: unknown;
    switch (request.type) {
      case 'issue': {
        const character = sim.characters[request.characterIndex % sim.characters.length]!;
        result = await sim.issueTokens({ characterId: character.id, scopes: request.scopes });
        break;
      }
      case 'advance':
        sim.clock.advance(request.ms);
        break;
      case 'faults':
        sim.sso.setFaults(request.faults);
        break;
      case 'stats':
        result = { sso: sim.sso.stats(), violations: sim.stats().violations };
        break;
      case 'close':
        await sim.close();
        port.postMessage({ id, now: Date.now(), result: undefined });
        port.close();
        return;
    }
    port.postMessage({ id, now: sim.clock.now(), result });
  })();
});
port.postMessage({ ready: true, ssoUrl: sim.ssoUrl, now: sim.clock.now() });
