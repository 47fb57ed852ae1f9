// The Standard Schema of one procedure's input: the adapter's own fields (paging, `asCharacter`)
// are taken out and checked here; everything else is the operation's input, checked by core's
// validator (`esi.inputSchema`), whose issues already name the parameter.
import type { EsiOperation, StandardSchemaV1 } from '@esikit/core';

/** What the resolver gets once the input is valid. */
export interface ParsedInput {
  /** Parameters and `body`, as core validated them. */
  readonly esi: Readonly<Record<string, unknown>>;
  readonly page: number | undefined;
  readonly allPages: boolean;
  readonly before: string | undefined;
  readonly after: string | undefined;
  readonly untilId: number | undefined;
  /** The acting character: `character_id`, or `asCharacter` where the operation has none. */
  readonly characterId: number | undefined;
}

type Issue = StandardSchemaV1.Issue;

/** Whether `asCharacter` names the acting character (authenticated, no `character_id`). */
export function needsActor(op: EsiOperation): boolean {
  return op.scope !== undefined && !op.parameters.some((p) => p.name === 'character_id');
}

/** The adapter fields an operation accepts, by pagination kind. */
function adapterFields(op: EsiOperation, live: boolean): readonly string[] {
  const fields: string[] = needsActor(op) ? ['asCharacter'] : [];
  if (live) return fields;
  if (op.pagination === 'pages') fields.push('page', 'allPages');
  if (op.pagination === 'cursor') fields.push('before', 'after');
  if (op.pagination === 'from_id') fields.push('untilId');
  return fields;
}

const positiveInt = (v: unknown): boolean =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

function describe(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * Builds the input schema of one operation's procedure (`live`: its subscription, which takes
 * no paging fields).
 */
export function procedureInputSchema(
  op: EsiOperation,
  core: StandardSchemaV1,
  live: boolean,
): StandardSchemaV1<unknown, ParsedInput> {
  const own = adapterFields(op, live);
  const check = (
    value: unknown,
  ): StandardSchemaV1.Result<ParsedInput> | Promise<StandardSchemaV1.Result<ParsedInput>> => {
    const source = value ?? {};
    if (typeof source !== 'object' || Array.isArray(source))
      return {
        issues: [{ message: `${op.id}: the input must be an object, got ${describe(value)}` }],
      };
    const rest: Record<string, unknown> = {};
    const mine: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(source)) {
      if (own.includes(key)) {
        if (v !== undefined) mine[key] = v;
      } else rest[key] = v;
    }
    const issues: Issue[] = [];
    const bad = (key: string, want: string): void => {
      issues.push({
        message: `${op.id}: "${key}" must be ${want}, got ${describe(mine[key])}`,
        path: [key],
      });
    };
    if ('page' in mine && !positiveInt(mine.page)) bad('page', 'a positive integer');
    if ('allPages' in mine && typeof mine.allPages !== 'boolean') bad('allPages', 'a boolean');
    if (mine.allPages === true && 'page' in mine)
      issues.push({ message: `${op.id}: give "page" or "allPages", not both`, path: ['page'] });
    for (const key of ['before', 'after'] as const)
      if (key in mine && (typeof mine[key] !== 'string' || mine[key] === ''))
        bad(key, 'a cursor token (a non-empty string)');
    if ('before' in mine && 'after' in mine)
      issues.push({ message: `${op.id}: give "before" or "after", not both`, path: ['before'] });
    if ('untilId' in mine && !positiveInt(mine.untilId)) bad('untilId', 'a positive integer');
    if (own.includes('asCharacter') && !positiveInt(mine.asCharacter))
      bad('asCharacter', `the id of your character that acts (${op.id} needs ${op.scope})`);
    const finish = (
      result: StandardSchemaV1.Result<unknown>,
    ): StandardSchemaV1.Result<ParsedInput> => {
      const all = result.issues ? [...issues, ...result.issues] : issues;
      if (all.length > 0) return { issues: all };
      const esi = (result as StandardSchemaV1.SuccessResult<Record<string, unknown>>).value;
      const characterId = own.includes('asCharacter') ? mine.asCharacter : esi.character_id;
      return {
        value: {
          esi,
          page: mine.page as number | undefined,
          allPages: mine.allPages === true,
          before: mine.before as string | undefined,
          after: mine.after as string | undefined,
          untilId: mine.untilId as number | undefined,
          characterId: typeof characterId === 'number' ? characterId : undefined,
        },
      };
    };
    const result = core['~standard'].validate(rest);
    return result instanceof Promise ? result.then(finish) : finish(result);
  };
  return { '~standard': { version: 1, vendor: 'esikit-trpc', validate: check } };
}
