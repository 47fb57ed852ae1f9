import type { OperationSpec } from '@esikit/spec';
import { EsiOptionError, EsiValidationError } from '../esi-errors.js';
import type { RetryOptions } from '../options.js';
import type { EsiPageOptions } from '../types.js';

// Checks of what a caller passes per call (params aside from the spec's rules, and the per-call
// options), each naming what was wrong.

/** The paging parameters the client owns per pagination kind, and where the caller sets them instead. */
const PAGING_PARAMS: Readonly<
  Record<OperationSpec['pagination'], Readonly<Record<string, string>>>
> = {
  none: {},
  pages: { page: 'choose it with result({ page }); results() and pages() fetch every page' },
  cursor: {
    before: 'pass it to cursorPage({ before }); cursor() walks on its own',
    after: 'pass it to cursorPage({ after }) or cursor({ after })',
  },
  from_id: { from_id: 'it is set by fromId() and results(), which walk on their own' },
};

/**
 * Refuses the paging parameters in params: they would be sent on the first request of a walk
 * and then collide with the ones the walk sets (page 1 of results() fetched as page N).
 */
export function checkPagingParams(
  op: OperationSpec,
  params: Readonly<Record<string, unknown>> | undefined,
): void {
  if (params === undefined || typeof params !== 'object' || params === null) return;
  const owned = PAGING_PARAMS[op.pagination];
  for (const name of Object.keys(owned)) {
    if (params[name] !== undefined)
      throw new EsiValidationError(op.id, name, `is not a param: ${owned[name]}`);
  }
}

export function checkTimeout(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new EsiOptionError('timeout', value, 'a positive number of milliseconds');
  return value;
}

export function checkRetries(value: EsiPageOptions['retries']): Partial<RetryOptions> {
  if (typeof value !== 'object' || value === null)
    throw new EsiOptionError('retries', value, '{ connection?, server?, backoffFactor?, jitter? }');
  const out: { -readonly [K in keyof RetryOptions]?: RetryOptions[K] } = {};
  for (const name of ['connection', 'server'] as const) {
    const v = value[name];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0)
      throw new EsiOptionError(`retries.${name}`, v, 'an integer ≥ 0');
    out[name] = v;
  }
  if (value.backoffFactor !== undefined) {
    if (!Number.isFinite(value.backoffFactor) || value.backoffFactor < 0)
      throw new EsiOptionError('retries.backoffFactor', value.backoffFactor, 'a number ≥ 0');
    out.backoffFactor = value.backoffFactor;
  }
  if (value.jitter !== undefined) {
    if (typeof value.jitter !== 'boolean')
      throw new EsiOptionError('retries.jitter', value.jitter, 'true or false');
    out.jitter = value.jitter;
  }
  return out;
}
