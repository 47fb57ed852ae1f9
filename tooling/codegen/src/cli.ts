// esikit-codegen: `generate --out <dir>`, `fetch`, `update`. Run through bin/esikit-codegen.js.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SpecError } from '@esikit/spec';
import { CodegenError } from './errors.js';
import { ensureGenerated } from './ensure.js';
import { DEFAULT_LOCK_FILE } from './lock.js';
import { resolveSpec } from './spec-source.js';
import { updateSpec } from './update.js';

const HELP = `Usage: esikit-codegen <command> [options]

Commands:
  generate --out <dir>   Generate types.ts, operations.ts, docs.ts and index.ts from the ESI spec
  fetch                  Download (or revalidate) the locked ESI spec(s) into .cache/esi
  update                 Lock the newest compatibility date ESI offers and show what changed

Options:
  --out <dir>            Output directory for generate (relative to the current directory)
  --if-stale             generate: do nothing when <dir> was generated from the same spec by the
                         same generator (as recorded in <dir>/.esikit-codegen.json)
  --soft                 generate: when there is no spec, warn and exit 0 (for install hooks)
  --lock <file>          Lock file (default: tooling/codegen/esi-spec.lock.json)
  --root <dir>           Workspace root holding .cache/esi (default: nearest pnpm-workspace.yaml)
  -h, --help             Show this help

Environment:
  ESI_SPEC_FILE          Use this local spec instead of downloading one
  ESI_BASE_URL           ESI to download from (default https://esi.evetech.net)
`;

/** The nearest directory at or above `from` holding pnpm-workspace.yaml, else this repo's root. */
export function findWorkspaceRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) break;
  }
  return fileURLToPath(new URL('../../../', import.meta.url));
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      lock: { type: 'string' },
      root: { type: 'string' },
      'if-stale': { type: 'boolean' },
      soft: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...extra] = positionals;
  if (values.help || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (command === undefined || extra.length > 0) {
    throw new CodegenError('ESIKIT_CODEGEN_USAGE', `expected one command.\n\n${HELP}`);
  }
  const cwd = process.cwd();
  const root = values.root !== undefined ? resolve(values.root) : findWorkspaceRoot(cwd);
  const lockFile = values.lock !== undefined ? resolve(values.lock) : DEFAULT_LOCK_FILE;
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted')));
  const options = { root, lockFile, cwd, signal: controller.signal };

  switch (command) {
    case 'generate': {
      if (values.out === undefined) {
        throw new CodegenError('ESIKIT_CODEGEN_USAGE', 'generate needs --out <dir>');
      }
      const outDir = resolve(values.out);
      let done;
      try {
        done = await ensureGenerated({ ...options, outDir, ifStale: values['if-stale'] === true });
      } catch (error) {
        // An install hook must not fail the install of someone who has no spec yet; the tests
        // and `pnpm codegen` say the same thing again, loudly, when they need the output.
        const noSpec =
          (error instanceof CodegenError && error.code === 'ESIKIT_CODEGEN_NO_SPEC') ||
          (error instanceof SpecError && error.code === 'ESIKIT_SPEC_NOT_FOUND');
        if (values.soft !== true || !noSpec) throw error;
        process.stderr.write(
          `esikit-codegen: warning: ${relative(cwd, outDir) || '.'} was not generated: ${(error as Error).message}\n`,
        );
        return 0;
      }
      if (done.kind === 'fresh') {
        process.stdout.write(`esikit-codegen: ${relative(cwd, outDir) || '.'} is up to date\n`);
        return 0;
      }
      const { spec, result } = done;
      process.stdout.write(
        `esikit-codegen: ${result.operations} operations from ESI spec ${result.compatibilityDate} ` +
          `(${spec.source}: ${relative(cwd, spec.file) || spec.file}) → ${relative(cwd, outDir) || '.'}` +
          ` (${result.changed.length} of ${result.files.length} files changed)\n`,
      );
      return 0;
    }
    case 'fetch': {
      const spec = await resolveSpec(options);
      for (const s of [spec, ...spec.extraSpecs])
        process.stdout.write(
          `esikit-codegen: ESI spec ${s.compatibilityDate} (${s.source}) at ${s.file}\n`,
        );
      return 0;
    }
    case 'update':
      await updateSpec(options);
      return 0;
    default:
      throw new CodegenError(
        'ESIKIT_CODEGEN_USAGE',
        `unknown command ${JSON.stringify(command)}.\n\n${HELP}`,
      );
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof CodegenError || error instanceof SpecError) {
    process.stderr.write(`esikit-codegen: ${error.message}\n`);
    process.exitCode =
      error instanceof CodegenError && error.code === 'ESIKIT_CODEGEN_USAGE' ? 2 : 1;
  } else if ((error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    process.stderr.write(`esikit-codegen: ${(error as Error).message}\n\n${HELP}`);
    process.exitCode = 2;
  } else {
    process.stderr.write(
      `esikit-codegen: unexpected failure\n${(error as Error).stack ?? String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
