import { esikitVitest } from '@esikit/config/vitest';

export default esikitVitest();
