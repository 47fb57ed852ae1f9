// Vitest global setup: the tests import `src/generated`, which is never committed. Generate it
// when it is missing or stale (another spec, a changed generator), so `npx vitest run` works on a
// fresh clone and after a pull without a separate `pnpm codegen`. A no-op when it is fresh.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LOCK_FILE, ensureGenerated, GENERATED_FILES } from '@esikit/codegen/ensure';

export default async function setup(): Promise<void> {
  const outDir = fileURLToPath(new URL('../../core/src/generated', import.meta.url));
  try {
    const done = await ensureGenerated({
      outDir,
      root: fileURLToPath(new URL('../../../', import.meta.url)),
      lockFile: DEFAULT_LOCK_FILE,
      cwd: fileURLToPath(new URL('../../core', import.meta.url)),
    });
    if (done.kind === 'generated') {
      process.stdout.write(
        `esikit-codegen: generated src/generated from ESI spec ${done.result.compatibilityDate} (${done.spec.source})\n`,
      );
    }
  } catch (error) {
    // Stale but complete output still runs the tests; only missing output is fatal.
    if (!GENERATED_FILES.every((name) => existsSync(join(outDir, name)))) throw error;
    process.stderr.write(
      `esikit-codegen: warning: src/generated may be stale and could not be regenerated: ${(error as Error).message}\n`,
    );
  }
}
