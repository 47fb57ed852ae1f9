#!/usr/bin/env node
/* global URL, process */
// Standalone simulator: `esikit-simulator --help`. Uses the build when there is one, else the
// sources (inside the esikit workspace).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  // Resolved from here, not from the caller's directory, so the CLI runs from any cwd.
  const tsx = import.meta.resolve('tsx');
  const result = spawnSync(
    process.execPath,
    ['--conditions=@esikit/source', '--import', tsx, cli, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  if (result.error) {
    process.stderr.write(`esikit-simulator: cannot start node: ${result.error.message}\n`);
  }
  process.exit(result.status ?? 1);
}
