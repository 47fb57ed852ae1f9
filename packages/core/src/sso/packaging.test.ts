// The published shape of @esikit/core/sso: built with tsconfig.build.json into a consumer's
// node_modules (outside the repo, so nothing of the workspace resolves), then type-checked with
// skipLibCheck false and no ioredis installed. `@esikit/core/sso` and `/sso/testing` must
// type-check; `/sso/redis` must fail on the missing ioredis types (proving none is resolvable).
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');

// Asynchronous on purpose: a synchronous tsc run blocks the test worker long enough, on a busy
// machine, for vitest's worker RPC to time out.
const run = promisify(execFile);

/** Runs tsc; its exit status and output, whatever the status. */
async function runTsc(args: string[], cwd: string): Promise<{ status: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [tsc, ...args], {
      cwd,
      encoding: 'utf8',
    });
    return { status: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { status: e.code, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

let root: string;
let core: string;

/** Type-checks the consumer's files at once; the compiler's output. */
async function typecheck(files: Record<string, string>): Promise<string> {
  for (const [name, source] of Object.entries(files)) writeFileSync(join(root, name), source);
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
      },
      files: Object.keys(files),
    }),
  );
  return (await runTsc(['-p', join(root, 'tsconfig.json')], root)).output;
}

describe('the published @esikit/core/sso', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'esikit-sso-consumer-'));
    core = join(root, 'node_modules', '@esikit', 'core');
    mkdirSync(core, { recursive: true });
    const build = await runTsc(
      ['-p', join(packageDir, 'tsconfig.build.json'), '--outDir', join(core, 'dist')],
      packageDir,
    );
    if (build.status !== 0) throw new Error(`build failed:\n${build.output}`);
    cpSync(join(packageDir, 'package.json'), join(core, 'package.json'));
    // core's own dependencies, as an install would provide them; ioredis (an optional peer) not.
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const dep of [...Object.keys(pkg.dependencies), '@types/node']) {
      const target = join(root, 'node_modules', dep);
      mkdirSync(dirname(target), { recursive: true });
      const found = [packageDir, join(packageDir, '../..')]
        .map((d) => join(d, 'node_modules', dep))
        .find((d) => existsSync(d));
      if (found === undefined) throw new Error(`${dep} is not installed`);
      symlinkSync(realpathSync(found), target);
    }
    writeFileSync(
      join(root, 'package.json'),
      '{ "name": "consumer", "type": "module", "private": true }',
    );
  }, 120_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('type-checks without ioredis; test code and RedisTokenStore are apart from the production entry', async () => {
    const out = await typecheck({
      'app.ts': `
import { createSso, EncryptedTokenStore, MemoryTokenStore, SsoAbortedError, TokenCipher, TokenManager } from '@esikit/core/sso';
import { sampleToken, tokenStoreContract, type ContractHarness } from '@esikit/core/sso/testing';
const sso = createSso({ clientId: 'x', callbackUrl: 'https://app.example/cb' });
const cipher = new TokenCipher({ keys: { k: new Uint8Array(32) }, currentKeyId: 'k' });
export const tokens = new TokenManager({ sso, store: new EncryptedTokenStore(new MemoryTokenStore(), cipher) });
export const parts: unknown[] = [sampleToken, tokenStoreContract, SsoAbortedError];
export type H = ContractHarness;
`,
      'production.ts': `
import { tokenStoreContract, RedisTokenStore } from '@esikit/core/sso';
export const parts: unknown[] = [tokenStoreContract, RedisTokenStore];
`,
    });
    const errors = out.split('\n').filter((l) => l.trim() !== '');
    // Only the deliberate errors of production.ts: nothing in app.ts, nothing in core's .d.ts.
    expect(errors.filter((l) => !l.startsWith('production.ts('))).toEqual([]);
    expect(out).toMatch(/production\.ts.*'tokenStoreContract'/);
    expect(out).toMatch(/production\.ts.*'RedisTokenStore'/);
    // Control: the Redis entry needs ioredis, and there is none to be found.
    const redis = await typecheck({
      'redis.ts': `
import { RedisTokenStore } from '@esikit/core/sso/redis';
export const store: unknown = RedisTokenStore;
`,
    });
    expect(redis).toMatch(/redis-store\.d\.ts.*Cannot find module 'ioredis'/);
  }, 120_000);
});
