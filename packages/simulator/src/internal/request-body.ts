import type { JsonSchema } from '@esikit/spec';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOk(type: unknown, value: unknown): boolean {
  switch (type) {
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return true;
  }
}

/**
 * Loose validation of a JSON request body, enough to answer 400 like ESI for the mistakes
 * clients make: wrong type, missing required field, too many items, bad enum value.
 *
 * @returns a message naming the location (`body[3]`, `body.recipients`), or undefined when fine.
 */
export function checkBody(schema: JsonSchema, value: unknown, at = 'body'): string | undefined {
  const s = schema;
  const types = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type];
  if (types.length > 0 && !types.some((t) => typeOk(t, value))) {
    return `${at} must be ${types.join(' or ')}, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`;
  }
  if (Array.isArray(s.enum) && !s.enum.includes(value))
    return `${at} must be one of ${s.enum.join(', ')}`;
  if (typeof value === 'string' && typeof s.maxLength === 'number' && value.length > s.maxLength) {
    return `${at} must be at most ${s.maxLength} characters`;
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) return `${at} must be >= ${s.minimum}`;
    if (typeof s.maximum === 'number' && value > s.maximum) return `${at} must be <= ${s.maximum}`;
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems)
      return `${at} needs at least ${s.minItems} items, got ${value.length}`;
    if (typeof s.maxItems === 'number' && value.length > s.maxItems)
      return `${at} allows at most ${s.maxItems} items, got ${value.length}`;
    if (
      s.uniqueItems === true &&
      new Set(value.map((v) => JSON.stringify(v))).size !== value.length
    )
      return `${at} has duplicate items`;
    if (isObject(s.items)) {
      for (let i = 0; i < value.length; i++) {
        const problem = checkBody(s.items, value[i], `${at}[${i}]`);
        if (problem) return problem;
      }
    }
  }
  if (isObject(value) && isObject(s.properties)) {
    for (const key of Array.isArray(s.required) ? (s.required as string[]) : []) {
      if (!(key in value)) return `${at}.${key} is required`;
    }
    for (const [key, sub] of Object.entries(s.properties)) {
      if (key in value && isObject(sub)) {
        const problem = checkBody(sub, value[key], `${at}.${key}`);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}
