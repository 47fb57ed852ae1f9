import { SpecError } from './errors.js';
import type {
  HttpMethod,
  JsonSchema,
  OperationSpec,
  OperationTable,
  PaginationKind,
  ParameterSpec,
  RateLimitSpec,
  StandardHeader,
  ValueConstraints,
} from './types.js';

const METHODS = ['get', 'post', 'put', 'delete'] as const;
const STANDARD_HEADERS: ReadonlySet<string> = new Set<StandardHeader>([
  'Accept-Language',
  'If-None-Match',
  'If-Modified-Since',
  'X-Compatibility-Date',
  'X-Tenant',
]);
const CONSTRAINT_KEYS = [
  'format',
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
] as const;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(pointer: string, what: string): SpecError {
  return new SpecError('ESIKIT_SPEC_INVALID', `ESI spec is invalid at ${pointer}: ${what}`);
}

/** Follows a local `$ref` (`#/components/...`) and returns the target object. */
export function resolvePointer(doc: Json, ref: string): Json {
  if (!ref.startsWith('#/')) {
    throw new SpecError('ESIKIT_SPEC_UNRESOLVED_REF', `Only local $refs are supported, got ${ref}`);
  }
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = isObject(node) ? node[key] : undefined;
  }
  if (!isObject(node)) {
    throw new SpecError('ESIKIT_SPEC_UNRESOLVED_REF', `$ref ${ref} does not resolve to an object`);
  }
  return node;
}

/** Resolves a `$ref` chain; sibling keys next to a `$ref` (3.1 allows them) override the target. */
function deref(doc: Json, node: Json): Json {
  let current = node;
  for (let hops = 0; typeof current.$ref === 'string'; hops++) {
    if (hops > 32)
      throw new SpecError('ESIKIT_SPEC_UNRESOLVED_REF', `$ref cycle at ${String(node.$ref)}`);
    const { $ref, ...siblings } = current;
    current = { ...resolvePointer(doc, $ref), ...siblings };
  }
  return current;
}

/** Inlines every `$ref` in a schema. ESI's request bodies are small and acyclic. */
export function inlineSchema(doc: Json, schema: unknown, depth = 0): unknown {
  if (depth > 64) throw new SpecError('ESIKIT_SPEC_UNRESOLVED_REF', 'schema nests too deeply');
  if (Array.isArray(schema)) return schema.map((item) => inlineSchema(doc, item, depth + 1));
  if (!isObject(schema)) return schema;
  const resolved = deref(doc, schema);
  const out: Json = {};
  for (const [key, value] of Object.entries(resolved)) {
    out[key] = inlineSchema(doc, value, depth + 1);
  }
  return out;
}

function constraints(doc: Json, raw: Json, pointer: string): ValueConstraints {
  const schema = deref(doc, raw);
  const type = schema.type;
  if (
    type !== 'integer' &&
    type !== 'number' &&
    type !== 'string' &&
    type !== 'boolean' &&
    type !== 'array'
  ) {
    throw invalid(pointer, `unsupported parameter type ${JSON.stringify(type)}`);
  }
  const out: { -readonly [K in keyof ValueConstraints]: ValueConstraints[K] } = { type };
  for (const key of CONSTRAINT_KEYS) {
    if (schema[key] !== undefined) (out as Json)[key] = schema[key];
  }
  if (type === 'array') {
    if (!isObject(schema.items)) throw invalid(pointer, 'array parameter without items');
    out.items = constraints(doc, schema.items, `${pointer}/items`);
  }
  return out;
}

function parameter(doc: Json, raw: Json, pointer: string): ParameterSpec | StandardHeader {
  const p = deref(doc, raw);
  const name = p.name;
  const location = p.in;
  if (typeof name !== 'string') throw invalid(pointer, 'parameter without a name');
  if (location === 'header' && STANDARD_HEADERS.has(name)) return name as StandardHeader;
  if (location !== 'path' && location !== 'query' && location !== 'header') {
    throw invalid(pointer, `parameter ${name} is in unsupported location ${String(location)}`);
  }
  if (!isObject(p.schema)) throw invalid(pointer, `parameter ${name} has no schema`);
  const schema = deref(doc, p.schema);
  const spec: ParameterSpec = {
    name,
    in: location,
    required: p.required === true || location === 'path',
    ...constraints(doc, schema, `${pointer}/schema`),
    ...(schema.default !== undefined ? { default: schema.default } : {}),
  };
  return spec;
}

const WINDOW_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a window such as `15m` or `1h` into milliseconds. */
export function parseWindow(size: string): number {
  const match = /^(\d+)([smhd])$/.exec(size);
  if (!match) throw invalid('x-rate-limit', `window-size ${JSON.stringify(size)} is not like 15m`);
  return Number(match[1]) * WINDOW_UNITS[match[2]!]!;
}

function rateLimit(raw: unknown, pointer: string): RateLimitSpec | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) throw invalid(pointer, 'x-rate-limit is not an object');
  const group = raw.group;
  const maxTokens = raw['max-tokens'];
  const windowSize = raw['window-size'];
  if (
    typeof group !== 'string' ||
    typeof maxTokens !== 'number' ||
    typeof windowSize !== 'string'
  ) {
    throw invalid(pointer, 'x-rate-limit needs group, max-tokens and window-size');
  }
  return { group, maxTokens, windowSize, windowMs: parseWindow(windowSize) };
}

function pagination(op: Json, parameters: readonly ParameterSpec[]): PaginationKind {
  if (op['x-pagination'] === 'cursor') return 'cursor';
  if (parameters.some((p) => p.in === 'query' && p.name === 'page')) return 'pages';
  if (parameters.some((p) => p.in === 'query' && p.name === 'from_id')) return 'from_id';
  return 'none';
}

function scopeOf(op: Json, pointer: string): string | undefined {
  const security = op.security;
  if (security === undefined) return undefined;
  if (!Array.isArray(security)) throw invalid(pointer, 'security is not an array');
  const scopes: unknown[] = security.flatMap((req: unknown): unknown[] =>
    isObject(req) ? Object.values(req).flatMap((v): unknown[] => (Array.isArray(v) ? v : [])) : [],
  );
  if (scopes.length > 1) throw invalid(pointer, 'more than one scope per operation is unsupported');
  return typeof scopes[0] === 'string' ? scopes[0] : undefined;
}

function compileOperation(
  doc: Json,
  method: HttpMethod,
  path: string,
  op: Json,
  pathParams: unknown[],
): OperationSpec {
  const pointer = `#/paths/${path.replaceAll('/', '~1')}/${method.toLowerCase()}`;
  const id = op.operationId;
  if (typeof id !== 'string' || id === '') throw invalid(pointer, 'missing operationId');

  const parameters: ParameterSpec[] = [];
  const standardHeaders: StandardHeader[] = [];
  const opParams: unknown[] = Array.isArray(op.parameters) ? op.parameters : [];
  const rawParams = [...pathParams, ...opParams];
  rawParams.forEach((raw, i) => {
    if (!isObject(raw)) throw invalid(`${pointer}/parameters/${i}`, 'parameter is not an object');
    const compiled = parameter(doc, raw, `${pointer}/parameters/${i}`);
    if (typeof compiled === 'string') {
      if (!standardHeaders.includes(compiled)) standardHeaders.push(compiled);
    } else if (!parameters.some((p) => p.name === compiled.name && p.in === compiled.in)) {
      parameters.push(compiled);
    }
  });

  const responses = isObject(op.responses) ? op.responses : {};
  const successes = Object.keys(responses)
    .filter((code) => /^2\d\d$/.test(code))
    .map(Number)
    .sort((a, b) => a - b);
  const successStatus = successes[0];
  if (successStatus === undefined) throw invalid(pointer, 'no 2xx response');
  const success = deref(doc, responses[String(successStatus)] as Json);
  const content = isObject(success.content) ? success.content['application/json'] : undefined;
  const schema = isObject(content) && isObject(content.schema) ? content.schema : undefined;
  const schemaRef = typeof schema?.$ref === 'string' ? schema.$ref : undefined;

  let body: OperationSpec['body'];
  if (op.requestBody !== undefined) {
    const rb = deref(doc, op.requestBody as Json);
    const media = isObject(rb.content) ? rb.content['application/json'] : undefined;
    if (!isObject(media) || !isObject(media.schema)) {
      throw invalid(`${pointer}/requestBody`, 'only application/json bodies are supported');
    }
    body = {
      required: rb.required === true,
      schema: inlineSchema(doc, media.schema) as JsonSchema,
    };
  }

  const tags = Array.isArray(op.tags) ? op.tags : [];
  const roles = op['x-required-roles'];
  const cacheAge = op['x-cache-age'];
  const compatibilityDate = op['x-compatibility-date'];
  const rl = rateLimit(op['x-rate-limit'], `${pointer}/x-rate-limit`);
  const scope = scopeOf(op, pointer);

  return {
    id,
    method,
    path,
    tag: typeof tags[0] === 'string' ? tags[0] : 'Default',
    summary: typeof op.summary === 'string' ? op.summary : '',
    parameters,
    standardHeaders,
    ...(body ? { body } : {}),
    successStatus,
    ...(successes.length > 1 ? { otherSuccessStatuses: successes.slice(1) } : {}),
    ...(schemaRef?.startsWith('#/components/schemas/')
      ? { responseSchema: schemaRef.slice('#/components/schemas/'.length) }
      : schema && Object.keys(schema).length > 0
        ? { responseInlineSchema: inlineSchema(doc, schema) as JsonSchema }
        : {}),
    ...(typeof cacheAge === 'number' ? { cacheAge } : {}),
    ...(rl ? { rateLimit: rl } : {}),
    compatibilityDate: typeof compatibilityDate === 'string' ? compatibilityDate : '',
    ...(scope ? { scope } : {}),
    ...(Array.isArray(roles) && roles.length > 0 ? { roles: roles.map(String) } : {}),
    pagination: pagination(op, parameters),
  };
}

/**
 * Compiles an ESI OpenAPI 3.x document into an {@link OperationTable}.
 *
 * @throws {SpecError} `ESIKIT_SPEC_INVALID` naming the JSON pointer that is wrong.
 * @example
 * const table = compileSpec(JSON.parse(await readFile('openapi.json', 'utf8')));
 * table.operations.find((op) => op.id === 'GetStatus');
 */
export function compileSpec(document: unknown): OperationTable {
  if (!isObject(document)) throw invalid('#', 'the document is not a JSON object');
  if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.')) {
    throw invalid('#/openapi', `expected an OpenAPI 3.x document, got ${String(document.openapi)}`);
  }
  const info = isObject(document.info) ? document.info : {};
  if (typeof info.version !== 'string') throw invalid('#/info/version', 'missing version');
  if (!isObject(document.paths)) throw invalid('#/paths', 'missing paths');

  const operations: OperationSpec[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    if (!isObject(item)) continue;
    const pathParams = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (isObject(op)) {
        operations.push(
          compileOperation(document, method.toUpperCase() as HttpMethod, path, op, pathParams),
        );
      }
    }
  }
  operations.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const seen = new Set<string>();
  for (const op of operations) {
    if (seen.has(op.id)) throw invalid('#/paths', `operationId ${op.id} appears twice`);
    seen.add(op.id);
  }

  const components = isObject(document.components) ? document.components : {};
  const parameters = isObject(components.parameters) ? components.parameters : {};
  const language = isObject(parameters.AcceptLanguage) ? parameters.AcceptLanguage : {};
  const languageSchema = isObject(language.schema) ? language.schema : {};
  const languages = Array.isArray(languageSchema.enum) ? languageSchema.enum.map(String) : ['en'];

  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  const scopes = new Set<string>();
  for (const scheme of Object.values(schemes)) {
    const flows = isObject(scheme) && isObject(scheme.flows) ? scheme.flows : {};
    for (const flow of Object.values(flows)) {
      if (isObject(flow) && isObject(flow.scopes))
        Object.keys(flow.scopes).forEach((s) => scopes.add(s));
    }
  }

  return {
    compatibilityDate: info.version,
    languages,
    scopes: [...scopes].sort(),
    operations,
  };
}
