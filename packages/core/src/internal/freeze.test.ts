import { describe, expect, it } from 'vitest';
import { deepFreeze } from './freeze.js';

describe('deepFreeze', () => {
  it('freezes every object and array of a JSON value, however deep', () => {
    const value = JSON.parse('{"a":[{"b":{"c":[1,2,{"d":true}]}}],"e":"x"}') as {
      a: { b: { c: [number, number, { d: boolean }] } }[];
    };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a[0]!.b.c)).toBe(true);
    expect(Object.isFrozen(value.a[0]!.b.c[2])).toBe(true);
    expect(() => {
      value.a[0]!.b.c[2].d = false;
    }).toThrow(TypeError);
  });

  it('leaves primitives and null alone', () => {
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze(null)).toBe(null);
    expect(deepFreeze('s')).toBe('s');
  });

  it('handles nesting far deeper than the call stack would', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    deepFreeze(deep);
    let inner = deep as unknown[];
    for (let i = 0; i < 100_000; i++) inner = inner[0] as unknown[];
    expect(Object.isFrozen(inner)).toBe(true);
  });
});
