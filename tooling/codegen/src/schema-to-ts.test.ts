import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CodegenError } from './errors.js';
import { componentRefName, jsDoc, propertyKey, schemaToTs, tsString } from './schema-to-ts.js';

const ts = (schema: unknown) => schemaToTs(schema, componentRefName);

describe('schemaToTs', () => {
  it('maps scalars, keeping int64 and dates as number and string', () => {
    expect(ts({ type: 'integer', format: 'int64' })).toBe('number');
    expect(ts({ type: 'number', format: 'double' })).toBe('number');
    expect(ts({ type: 'string', format: 'date-time' })).toBe('string');
    expect(ts({ type: 'string', format: 'date' })).toBe('string');
    expect(ts({ type: 'boolean' })).toBe('boolean');
    expect(ts({})).toBe('unknown');
  });

  it('turns enums into literal unions and refs into names', () => {
    expect(ts({ type: 'string', enum: ['buy', 'sell', "it's"] })).toBe("'buy' | 'sell' | 'it\\'s'");
    expect(ts({ type: 'integer', enum: [1, 2] })).toBe('1 | 2');
    expect(ts({ $ref: '#/components/schemas/TypeID', description: 'ignored' })).toBe('TypeID');
    expect(ts({ const: 'x' })).toBe("'x'");
  });

  it('handles nullability written either way', () => {
    expect(ts({ type: ['boolean', 'null'] })).toBe('boolean | null');
    expect(ts({ type: 'string', nullable: true })).toBe('string | null');
    expect(ts({ type: ['string', 'null'], nullable: true })).toBe('string | null');
  });

  it('parenthesises union elements of arrays', () => {
    expect(ts({ type: 'array', items: { type: 'integer' } })).toBe('number[]');
    expect(ts({ type: 'array', items: { enum: ['a', 'b'] } })).toBe("('a' | 'b')[]");
    expect(ts({ type: 'array' })).toBe('unknown[]');
  });

  it('renders objects with required and optional properties, docs and odd keys', () => {
    const out = ts({
      type: 'object',
      required: ['b'],
      properties: {
        b: { type: 'string', description: 'Bee */ careful' },
        a: { type: 'integer' },
        'x-y': { type: 'boolean' },
      },
    });
    expect(out).toBe(
      "{\n  a?: number;\n  /** Bee *\\/ careful */\n  b: string;\n  'x-y'?: boolean;\n}",
    );
  });

  it('turns additionalProperties into an index signature', () => {
    expect(
      ts({
        type: 'object',
        additionalProperties: { type: 'array', items: { $ref: '#/components/schemas/E' } },
      }),
    ).toBe('{\n  [key: string]: E[];\n}');
    expect(ts({ type: 'object', additionalProperties: true })).toBe(
      '{\n  [key: string]: unknown;\n}',
    );
    expect(
      ts({
        type: 'object',
        properties: { a: { type: 'string' } },
        additionalProperties: { type: 'number' },
      }),
    ).toBe('{\n  a?: string;\n  [key: string]: unknown;\n}');
    expect(ts({ type: 'object' })).toBe('Record<string, unknown>');
  });

  it('makes the single key of each oneOf branch required so callers can narrow with `in`', () => {
    const out = ts({
      oneOf: [
        { type: 'object', title: 'a', properties: { a: { type: 'integer' } } },
        { type: 'object', title: 'b', properties: { b: { type: 'string' } } },
      ],
    });
    expect(out).toBe('{\n  a: number;\n} | {\n  b: string;\n}');
    expect(ts({ anyOf: [{ type: 'string' }, { type: 'integer' }] })).toBe('string | number');
    expect(
      ts({ allOf: [{ $ref: '#/components/schemas/A' }, { $ref: '#/components/schemas/B' }] }),
    ).toBe('A & B');
  });

  it('refuses what it cannot express, naming the spot', () => {
    expect(() => schemaToTs({ type: 'file' }, componentRefName, '', '#/x')).toThrow(
      expect.objectContaining({
        code: 'ESIKIT_CODEGEN_UNSUPPORTED_SCHEMA',
        message: expect.stringContaining('#/x'),
      }),
    );
    expect(() => ts({ $ref: 'https://example.com/s.json' })).toThrow(CodegenError);
    expect(() => ts({ $ref: '#/components/schemas/not-an-identifier' })).toThrow(
      /not a valid TypeScript identifier/,
    );
  });
});

describe('jsDoc, propertyKey and tsString', () => {
  it('escapes what a single-quoted literal cannot hold', () => {
    expect(tsString("a'b\\c\nd\u2028\u0001")).toBe("'a\\'b\\\\c\\nd\\u2028\\u0001'");
    const tricky = "quote ' backslash \\ newline \n sep \u2029 nul \u0000 ünï 🚀";
    expect(runInNewContext(tsString(tricky))).toBe(tricky);
  });

  it('renders one-line and multi-line comments and drops empty ones', () => {
    expect(jsDoc(['one'], '  ')).toBe('  /** one */\n');
    expect(jsDoc(['one', '', 'two'], '')).toBe('/**\n * one\n *\n * two\n */\n');
    expect(jsDoc(['', '  '], '')).toBe('');
  });

  it('quotes keys that are not identifiers', () => {
    expect(propertyKey('region_id')).toBe('region_id');
    expect(propertyKey('X-Pages')).toBe("'X-Pages'");
    expect(propertyKey('1st')).toBe("'1st'");
  });
});
