import { describe, expect, it } from 'vitest';
import { parseJson } from './json.js';

describe('parseJson', () => {
  it('parses ordinary bodies, including big ids that are still safe', () => {
    expect(parseJson('{"a":1,"b":[2147483648,9007199254740991]}')).toEqual({
      ok: true,
      value: { a: 1, b: [2147483648, 9007199254740991] },
    });
  });

  it('refuses an integer JSON.parse would round', () => {
    const r = parseJson('[{"item_id":9007199254740993}]');
    expect(r).toEqual({
      ok: false,
      problem: { kind: 'unsafe-integer', literal: '9007199254740993' },
    });
    expect(parseJson('{"x":-12345678901234567890}').ok).toBe(false);
  });

  it('ignores long digit runs inside strings and in floats', () => {
    expect(parseJson('{"hash":"12345678901234567890123","n":1}').ok).toBe(true);
    expect(parseJson('{"s":"a\\"12345678901234567890"}').ok).toBe(true);
    expect(parseJson('{"isk":12345678901234567890.5}').ok).toBe(true);
  });

  it('reports syntax errors (a truncated body) as such', () => {
    const r = parseJson('[{"a":1},{"b"');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem.kind).toBe('syntax');
  });
});

describe('parseJson with long fractions', () => {
  it('does not mistake fraction digits for an integer', () => {
    expect(
      parseJson('{"security_status":0.85399270057678221234,"price":1234.12345678901234567}'),
    ).toEqual({
      ok: true,
      value: { security_status: 0.8539927005767822, price: 1234.1234567890124 },
    });
    expect(parseJson('[1.5e300,12345678901234567890e2]').ok).toBe(true);
  });
});

describe('parseJson on top-level numbers and nesting', () => {
  it('refuses a rounded integer at any depth, and at the top level', () => {
    expect(parseJson('{"a":{"b":[[{"c":[1,2,{"d":-9007199254740993}]}]]}}')).toEqual({
      ok: false,
      problem: { kind: 'unsafe-integer', literal: '-9007199254740993' },
    });
    expect(parseJson('9007199254740993')).toEqual({
      ok: false,
      problem: { kind: 'unsafe-integer', literal: '9007199254740993' },
    });
    expect(parseJson('9007199254740991')).toEqual({ ok: true, value: 9007199254740991 });
  });

  it('accepts huge floats that are not integer literals, beside safe integers', () => {
    expect(parseJson('{"a":[1e300,-2.5E+20],"b":9007199254740991}').ok).toBe(true);
  });
});
