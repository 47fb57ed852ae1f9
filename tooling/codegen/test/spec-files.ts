// Where the tests find CCP's specs: ESI_SPEC_FILE (CI passes it relative to the repository root)
// or the copy codegen downloaded, or the shared copy next to the checkout. The older spec sits
// beside the current one (codegen downloads it there as one of the lock's extraSpecs).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSpecFile } from '@esikit/spec';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The 2026-08-04 spec: ESI_SPEC_FILE, else the downloaded `.cache/esi/`, else the shared copy. */
export const SPEC_FILE = process.env.ESI_SPEC_FILE
  ? resolve(REPO_ROOT, process.env.ESI_SPEC_FILE)
  : (findSpecFile(REPO_ROOT, {}) ??
    fileURLToPath(new URL('../../../../shared/esi/openapi.json', import.meta.url)));

/** The 2025-12-16 spec. */
export const OLD_SPEC_FILE = join(dirname(SPEC_FILE), 'openapi-2025-12-16.json');

for (const file of [SPEC_FILE, OLD_SPEC_FILE]) {
  if (!existsSync(file)) throw new Error(`Test spec ${file} is missing; set ESI_SPEC_FILE`);
}
