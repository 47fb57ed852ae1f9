/** Why a response body could not be turned into data. */
export type JsonProblem =
  { kind: 'syntax'; cause: unknown } | { kind: 'unsafe-integer'; literal: string };

// An integer part this long may exceed 2^53; only then is the slower exact scan worth doing.
// Fraction digits (0.8539927005767822, common in ESI) are not integer parts: the lookbehind
// keeps them from triggering the scan.
const LONG_DIGITS = /(?<![.\d])\d{16,}/;
// Strings are matched (and skipped) first so digits inside them never count as numbers.
const NUMBER_OUTSIDE_STRINGS = /"(?:[^"\\]|\\.)*"|(?<![.\d])(-?\d{16,})(?![.\deE])/g;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Parses an ESI JSON body, refusing integers that `JSON.parse` would silently round.
 * The common case costs one regex test on top of `JSON.parse`.
 */
export function parseJson(
  text: string,
): { ok: true; value: unknown } | { ok: false; problem: JsonProblem } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return { ok: false, problem: { kind: 'syntax', cause } };
  }
  if (LONG_DIGITS.test(text)) {
    for (const m of text.matchAll(NUMBER_OUTSIDE_STRINGS)) {
      const literal = m[1];
      if (literal === undefined) continue;
      const n = BigInt(literal);
      if (n > MAX || n < -MAX) return { ok: false, problem: { kind: 'unsafe-integer', literal } };
    }
  }
  return { ok: true, value };
}
