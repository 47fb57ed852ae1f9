/* global process, performance */
// One cold start in a fresh process, run by plain `node` as users run it (built packages, no
// TypeScript loader): import the library and build the ESI schema, then report the times and
// the peak RSS. `esikit` or `omnigraph` as the argument; the same spec for both.
const mode = process.argv[2];
// Omnigraph logs a warning per query parameter style it does not support; keep stdout clean.
const quiet = {
  log: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  error: () => undefined,
  child: () => quiet,
};
const specFile = process.argv[3];
const t0 = performance.now();
let importMs = 0;
let fields = 0;
let source = 'spec file';
if (mode === 'esikit') {
  const [{ createEsiClient, SPEC_SHA256 }, { createEsiSchema }] = await Promise.all([
    import('@esikit/core'),
    import('@esikit/graphql'),
  ]);
  importMs = performance.now() - t0;
  // The operation table generated at build time is this very spec when the hashes agree (it is
  // what an app ships with); otherwise core compiles the file at run time.
  const { createHash } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  const same = createHash('sha256').update(readFileSync(specFile)).digest('hex') === SPEC_SHA256;
  source = same ? 'generated table' : 'specFile';
  const esi = createEsiClient({
    appInfo: { name: 'esikit-bench', version: '0.0.0' },
    contactEmail: 'bench@esikit.invalid',
    ...(same ? {} : { specFile }),
  });
  const { schema } = await createEsiSchema({ esi });
  fields = Object.keys(schema.getQueryType().getFields()).length;
} else if (mode === 'omnigraph') {
  const { loadGraphQLSchemaFromOpenAPI } = await import('@omnigraph/openapi');
  importMs = performance.now() - t0;
  const schema = await loadGraphQLSchemaFromOpenAPI('esi', {
    source: specFile,
    endpoint: 'http://127.0.0.1:9',
    cwd: process.cwd(),
    logger: quiet,
  });
  fields = Object.keys(schema.getQueryType().getFields()).length;
}
// mode 'bare': a process that loads nothing, the baseline both RSS figures sit on.
const totalMs = performance.now() - t0;
process.stdout.write(
  JSON.stringify({
    importMs,
    buildMs: totalMs - importMs,
    totalMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    fields,
    source,
  }),
);
process.exit(0);
