import { esikitVitest } from '@esikit/config/vitest';

export default esikitVitest({ test: { globalSetup: ['./test/codegen-setup.ts'] } });
