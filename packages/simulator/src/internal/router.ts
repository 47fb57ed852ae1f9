import type { OperationSpec, OperationTable, ValueConstraints } from '@esikit/spec';

/** A request matched to an operation, with its parameters parsed and checked. */
export interface RouteMatch {
  readonly op: OperationSpec;
  /** Typed values of path and query parameters (defaults applied). */
  readonly params: Readonly<Record<string, unknown>>;
}

/** Why a request could not be matched; `status` is what ESI answers. */
export interface RouteFailure {
  readonly status: 400 | 404 | 405;
  readonly error: string;
  /** The operation, when the path matched but a parameter was wrong. */
  readonly failedOp?: OperationSpec;
}

interface CompiledRoute {
  readonly op: OperationSpec;
  readonly regex: RegExp;
  readonly names: readonly string[];
  /** Literal segments first, so `/universe/structures/` wins over `/universe/{x}/`. */
  readonly literals: number;
}

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Matches method + path against the spec's path templates, precompiled once, and validates
 * parameters against their {@link ParameterSpec}.
 */
export class Router {
  readonly #byMethod = new Map<string, CompiledRoute[]>();
  readonly #allPaths: CompiledRoute[] = [];

  constructor(table: OperationTable) {
    for (const op of table.operations) {
      const names: string[] = [];
      let literals = 0;
      const source = op.path
        .split('/')
        .map((segment) => {
          const m = /^\{(\w+)\}$/.exec(segment);
          if (m) {
            names.push(m[1]!);
            return '([^/]+)';
          }
          if (segment) literals++;
          return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/');
      // ESI accepts paths with or without the trailing slash.
      const route = { op, regex: new RegExp(`^${source.replace(/\/$/, '')}/?$`), names, literals };
      const list = this.#byMethod.get(op.method) ?? [];
      list.push(route);
      this.#byMethod.set(op.method, list);
      this.#allPaths.push(route);
    }
    for (const list of this.#byMethod.values()) list.sort((a, b) => b.literals - a.literals);
  }

  match(method: string, pathname: string, query: URLSearchParams): RouteMatch | RouteFailure {
    const routes = this.#byMethod.get(method) ?? [];
    for (const route of routes) {
      const m = route.regex.exec(pathname);
      if (!m) continue;
      const raw: Record<string, string> = {};
      route.names.forEach((name, i) => {
        raw[name] = decodeURIComponent(m[i + 1]!);
      });
      return parseParams(route.op, raw, query);
    }
    if (this.#allPaths.some((r) => r.regex.test(pathname))) {
      return { status: 405, error: `Method ${method} is not allowed on ${pathname}` };
    }
    return { status: 404, error: 'Not found' };
  }
}

function parseParams(
  op: OperationSpec,
  path: Record<string, string>,
  query: URLSearchParams,
): RouteMatch | RouteFailure {
  const params: Record<string, unknown> = {};
  for (const p of op.parameters) {
    if (p.in === 'header') continue;
    const raw = p.in === 'path' ? path[p.name] : (query.get(p.name) ?? undefined);
    if (raw === undefined || (raw === '' && p.in === 'query')) {
      if (p.required)
        return { status: 400, error: `Missing required ${p.in} parameter ${p.name}`, failedOp: op };
      if (p.default !== undefined) params[p.name] = p.default;
      continue;
    }
    const parsed = parseValue(p, raw, `${p.in} parameter ${p.name}`);
    if (parsed instanceof BadParam) return { status: 400, error: parsed.error, failedOp: op };
    params[p.name] = parsed;
  }
  return { op, params };
}

class BadParam implements RouteFailure {
  readonly status = 400;
  constructor(readonly error: string) {}
}

function bad(error: string): BadParam {
  return new BadParam(error);
}

function parseValue(c: ValueConstraints, raw: string, what: string): unknown {
  if (c.type === 'array') {
    // ESI arrays in the query are `explode: false`: one comma-separated value.
    const parts = raw.split(',');
    if (c.minItems !== undefined && parts.length < c.minItems)
      return bad(`${what} needs at least ${c.minItems} items, got ${parts.length}`);
    if (c.maxItems !== undefined && parts.length > c.maxItems)
      return bad(`${what} allows at most ${c.maxItems} items, got ${parts.length}`);
    const items = c.items ?? { type: 'string' };
    const out: unknown[] = [];
    for (const part of parts) {
      const v = parseValue(items, part, `${what} item`);
      if (v instanceof BadParam) return v;
      out.push(v);
    }
    if (c.uniqueItems && new Set(out.map(String)).size !== out.length)
      return bad(`${what} has duplicate items`);
    return out;
  }
  let value: string | number | boolean;
  switch (c.type) {
    case 'integer':
      if (!INTEGER.test(raw)) return bad(`${what} must be an integer, got ${JSON.stringify(raw)}`);
      value = Number(raw);
      if (!Number.isSafeInteger(value)) return bad(`${what} is out of range, got ${raw}`);
      if (c.format === 'int32' && (value > 2_147_483_647 || value < -2_147_483_648))
        return bad(`${what} must fit int32, got ${raw}`);
      break;
    case 'number':
      if (!NUMBER.test(raw)) return bad(`${what} must be a number, got ${JSON.stringify(raw)}`);
      value = Number(raw);
      break;
    case 'boolean':
      if (raw !== 'true' && raw !== 'false')
        return bad(`${what} must be true or false, got ${JSON.stringify(raw)}`);
      value = raw === 'true';
      break;
    case 'string':
      value = raw;
      if (c.format === 'uuid' && !UUID.test(raw))
        return bad(`${what} must be a UUID, got ${JSON.stringify(raw)}`);
      if (c.minLength !== undefined && raw.length < c.minLength)
        return bad(`${what} must be at least ${c.minLength} characters`);
      if (c.maxLength !== undefined && raw.length > c.maxLength)
        return bad(`${what} must be at most ${c.maxLength} characters`);
      if (c.pattern !== undefined && !new RegExp(c.pattern, 'u').test(raw))
        return bad(`${what} does not match ${c.pattern}`);
      break;
  }
  if (c.enum && !c.enum.includes(value as string | number)) {
    return bad(`${what} must be one of ${c.enum.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  if (typeof value === 'number') {
    if (c.minimum !== undefined && value < c.minimum)
      return bad(`${what} must be >= ${c.minimum}, got ${raw}`);
    if (c.maximum !== undefined && value > c.maximum)
      return bad(`${what} must be <= ${c.maximum}, got ${raw}`);
  }
  return value;
}
