// Module hooks for load-child tests: appends the URL of every module the ESM loader loads to the
// file named in `data.file` (synchronously, so it is complete once the import has settled).
import { appendFileSync } from 'node:fs';

let file;
export function initialize(data) {
  file = data.file;
}
export async function load(url, context, next) {
  appendFileSync(file, `${url}\n`);
  return next(url, context);
}
