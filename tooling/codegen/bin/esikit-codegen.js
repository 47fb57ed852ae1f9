#!/usr/bin/env node
// Runs the TypeScript CLI from source (the pipeline is workspace tooling and is never built),
// resolving sibling packages to their sources so no build has to come first.
/* global process, URL */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
// Resolved from here, not from the caller's directory, so the CLI runs from any cwd.
const tsx = import.meta.resolve('tsx');
const result = spawnSync(
  process.execPath,
  ['--conditions=@esikit/source', '--import', tsx, cli, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
if (result.error) {
  process.stderr.write(`esikit-codegen: cannot start node: ${result.error.message}\n`);
}
process.exit(result.status ?? 1);
