#!/usr/bin/env node
// esikit-mikro-orm: applies this package's migrations to a PostgreSQL database.
import { parseArgs } from 'node:util';
import { EsikitDatabaseError } from '../errors.js';
import { migrateEsikitDatabase } from '../database.js';

const USAGE = `usage: esikit-mikro-orm migrate [--url postgresql://user@host:5432/db]

Applies the pending @esikit/mikro-orm migrations (one transaction). The URL defaults to
DATABASE_URL. The embedded database (no URL) migrates itself when it is opened.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    console.error(`esikit-mikro-orm: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'migrate') {
    console.error(
      `esikit-mikro-orm: expected the command "migrate", got ${positionals.length === 0 ? 'none' : JSON.stringify(positionals.join(' '))}\n\n${USAGE}`,
    );
    return 2;
  }
  try {
    const applied = await migrateEsikitDatabase(
      values.url === undefined ? {} : { url: values.url },
    );
    console.log(
      applied.length === 0
        ? 'esikit-mikro-orm: the database is up to date'
        : `esikit-mikro-orm: applied ${applied.join(', ')}`,
    );
    return 0;
  } catch (error) {
    console.error(
      `esikit-mikro-orm: ${error instanceof EsikitDatabaseError ? error.message : String(error)}`,
    );
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
