// Runs the simulator on its own thread, as ESI runs on its own machines: the client's CPU and
// the server's do not queue behind each other. The parent drives it with messages.
import { parentPort, workerData } from 'node:worker_threads';
import { SimulatorClock, startSimulator, type SimulatorOptions } from '@esikit/simulator';
import { Agent, request } from 'undici';

interface Init {
  readonly spec: string;
  readonly at: number;
  readonly options: SimulatorOptions;
}
type Message =
  | { type: 'advance'; ms: number; id: number }
  | { type: 'warm'; paths: string[]; ua: string; id: number }
  | { type: 'close'; id: number };

const init = workerData as Init;
const port = parentPort;
if (!port) throw new Error('sim-worker.ts runs as a worker thread');
const clock = new SimulatorClock();
clock.freeze(init.at);
const sim = await startSimulator({ ...init.options, spec: init.spec, clock });

port.on('message', (message: Message) => {
  void (async () => {
    switch (message.type) {
      case 'advance':
        sim.clock.advance(message.ms);
        break;
      case 'warm': {
        // Render every body once under another principal (a token), so that timed requests
        // find them memoised and no request repeats another inside its cache window.
        const character = sim.characters[0];
        if (!character) throw new Error('no characters');
        const { access_token } = await sim.issueTokens({ characterId: character.id, scopes: [] });
        const agent = new Agent({ connections: 16 });
        const headers = { 'user-agent': message.ua, authorization: `Bearer ${access_token}` };
        for (let i = 0; i < message.paths.length; i += 16) {
          await Promise.all(
            message.paths
              .slice(i, i + 16)
              .map(async (p) =>
                (await request(`${sim.esiUrl}${p}`, { dispatcher: agent, headers })).body.text(),
              ),
          );
        }
        await agent.close();
        break;
      }
      case 'close':
        port.postMessage({ id: message.id, stats: sim.stats() });
        await sim.close();
        port.close();
        return;
    }
    port.postMessage({ id: message.id, now: sim.clock.now() });
  })();
});
port.postMessage({ ready: true, esiUrl: sim.esiUrl, now: sim.clock.now() });
