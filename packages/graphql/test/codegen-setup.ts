// The schema is built from @esikit/core's generated table: core's own global setup generates it
// when it is missing or stale, so `npx vitest run` here works on a fresh clone too.
export { default } from '../../core/test/codegen-setup.js';
