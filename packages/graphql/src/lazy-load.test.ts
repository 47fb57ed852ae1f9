// DataLoader and GraphQL Armor are loaded with the first request or validation, not with the
// package: importing it and building a schema (a cold start) need neither.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { harness } from '../test/fixture.js';

const run = promisify(execFile);

it('building a schema loads neither DataLoader nor GraphQL Armor; the first query and validation do', async () => {
  await using h = await harness();
  const pilot = h.sim.characters[0]!;
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@esikit/source',
      fileURLToPath(new URL('../test/lazy-load-child.ts', import.meta.url)),
      h.sim.esiUrl,
      String(pilot.id),
    ],
    { cwd: fileURLToPath(new URL('..', import.meta.url)) },
  );
  const out = JSON.parse(stdout) as Record<string, unknown>;
  expect(out).toMatchObject({
    afterBuild: { dataloader: false, armor: false },
    afterQuery: { dataloader: true, armor: true },
    errors: [],
    data: { character: { name: pilot.name, corporation: { name: expect.any(String) } } },
  });
  const refused = out.refused as string[];
  expect(refused.some((m) => /alias/i.test(m))).toBe(true);
  expect(refused.some((m) => /depth/i.test(m))).toBe(true);
});
