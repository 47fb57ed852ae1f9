/* global process, performance */
// One cold start in a fresh process, run by plain `node` as users run it (built packages, no
// TypeScript loader): import graphql-js, then the library, build the ESI schema, and report the
// times and the peak RSS. Modes: `esikit` (the operation table generated from this spec, as an
// app ships it), `esikit-spec` (core compiles the spec file at run time, as omnigraph does),
// `omnigraph`, and the baselines `bare` (nothing) and `graphql` (graphql-js only).
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
// Which table the esikit run builds from is the bench's question, not the library's work: the
// parent hashes the spec and passes the hash (an app shipping the generated table hashes nothing,
// and reading the file here would add its megabyte to this process's peak RSS).
const specSha256 = mode === 'esikit' ? (process.argv[4] ?? '') : '';
const t0 = performance.now();
// Both libraries run on graphql-js and load the same copy (one graphql@16 in the workspace):
// imported first and timed apart, so the same ≈60–100 ms is counted once and alike for both.
let graphqlMs = 0;
if (mode !== 'bare') {
  await import('graphql');
  graphqlMs = performance.now() - t0;
}
const t1 = performance.now();
let importMs = 0;
let fields = 0;
let source = 'spec file';
let undiciLoaded = false;
if (mode === 'esikit' || mode === 'esikit-spec') {
  const [{ createEsiClient, SPEC_SHA256 }, { createEsiSchema }] = await Promise.all([
    import('@esikit/core'),
    import('@esikit/graphql'),
  ]);
  importMs = performance.now() - t1;
  // The operation table generated at build time is this very spec when the hashes agree (it is
  // what an app ships with); otherwise core compiles the file at run time.
  const same = specSha256 === SPEC_SHA256;
  source = same ? 'generated table' : 'spec file';
  const esi = createEsiClient({
    appInfo: { name: 'esikit-bench', version: '0.0.0' },
    contactEmail: 'bench@esikit.invalid',
    ...(same ? {} : { specFile }),
  });
  const { schema } = await createEsiSchema({ esi });
  fields = Object.keys(schema.getQueryType().getFields()).length;
  // Core loads undici (its HTTP pool) with the first request: building a schema sends nothing.
  const { createRequire } = await import('node:module');
  undiciLoaded = Object.keys(createRequire(import.meta.url).cache).some((f) =>
    /[\\/]undici[\\/]/.test(f),
  );
} else if (mode === 'omnigraph') {
  const { loadGraphQLSchemaFromOpenAPI } = await import('@omnigraph/openapi');
  importMs = performance.now() - t1;
  const schema = await loadGraphQLSchemaFromOpenAPI('esi', {
    source: specFile,
    endpoint: 'http://127.0.0.1:9',
    cwd: process.cwd(),
    logger: quiet,
  });
  fields = Object.keys(schema.getQueryType().getFields()).length;
}
// Modes 'bare' and 'graphql': the baselines both RSS figures sit on.
const totalMs = performance.now() - t0;
process.stdout.write(
  JSON.stringify({
    graphqlMs,
    importMs,
    buildMs: totalMs - graphqlMs - importMs,
    totalMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    fields,
    source,
    undiciLoaded,
  }),
);
process.exit(0);
