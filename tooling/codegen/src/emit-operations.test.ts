import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { jsonStringLiteral } from './emit-operations.js';

describe('jsonStringLiteral', () => {
  it('is ASCII only, so V8 stores the generated module and its literal at one byte a character', () => {
    const value = {
      description: 'If they aren’t specified… «∑» 😀',
      quote: "it's \\ \n \u2028",
      n: [1, 2.5, null, true],
    };
    const literal = jsonStringLiteral(value);
    expect(/^[\x20-\x7e]*$/.test(literal)).toBe(true);
    expect(JSON.parse(runInNewContext(literal) as string)).toEqual(value);
  });
});
