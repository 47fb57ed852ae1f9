// Child process of the embedded-directory tests: opens the embedded database in the directory
// given as argv[2] (with no template when argv[3] is `no-template`: a new one runs initdb),
// stores a token, reports, and stays open until killed. Not exported.
import { sampleToken } from '@esikit/core/sso/testing';
import { EsikitDatabaseError, openEsikitDatabase } from '../index.js';

const send = (message: unknown) => process.send?.(message);

try {
  const db = await openEsikitDatabase({
    dataDir: process.argv[2]!,
    ...(process.argv[3] === 'no-template' ? { templateDir: false } : {}),
  });
  const token = await db.store.create(sampleToken({ userId: 'from-child' }), 1000);
  send({ opened: true, tokenId: token.id });
} catch (error) {
  send({
    error:
      error instanceof EsikitDatabaseError
        ? { code: error.code, message: error.message }
        : { message: String(error) },
  });
  process.disconnect?.();
}
