// Exact numbers: ESI ids above 2^31 (characters, structures, items) do not fit GraphQL's Int,
// and a Float or a string would round or change their JSON type. `Int64` keeps them JSON
// numbers and refuses what a double cannot hold exactly instead of rounding it.
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

function exact(value: unknown, where: string): number {
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
      throw new GraphQLError(`Int64 ${where} ${value} is beyond 2^53 and cannot be exact`);
    return Number(value);
  }
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new GraphQLError(`Int64 ${where} must be an integer, got ${JSON.stringify(value)}`);
  if (!Number.isSafeInteger(value))
    throw new GraphQLError(`Int64 ${where} ${value} is beyond 2^53 and cannot be exact`);
  return value;
}

/**
 * The `Int64` scalar: ESI's 64-bit integers as exact JSON numbers, refused beyond 2^53 − 1.
 *
 * @example
 * makeExecutableSchema({ typeDefs: 'scalar Int64 type Character { id: Int64! }', resolvers: { Int64 } });
 */
export const Int64 = new GraphQLScalarType<number, number>({
  name: 'Int64',
  description:
    'A 64-bit integer (ESI ids, ISK amounts in whole units) as an exact JSON number; values beyond 2^53 − 1 are refused, never rounded.',
  serialize: (value) => exact(value, 'result'),
  parseValue: (value) => exact(value, 'input'),
  parseLiteral(ast: ValueNode) {
    if (ast.kind !== Kind.INT)
      throw new GraphQLError(`Int64 input must be an integer literal, got ${ast.kind}`, {
        nodes: ast,
      });
    // The literal's digits, not a parsed double: 2^53 + 1 must not silently become 2^53.
    return exact(BigInt(ast.value), 'input');
  },
});

function literalValue(
  ast: ValueNode,
  variables: Record<string, unknown> | null | undefined,
): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
      return exact(BigInt(ast.value), 'input');
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalValue(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(
        ast.fields.map((f) => [f.name.value, literalValue(f.value, variables)]),
      );
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
  }
}

/**
 * The `JSON` scalar: ESI values the spec leaves free-form (`additionalProperties`, untyped
 * objects), passed through as ESI sent them.
 *
 * @example
 * makeExecutableSchema({ typeDefs: 'scalar JSON type Query { raw: JSON }', resolvers: { JSON: Json } });
 */
export const Json = new GraphQLScalarType({
  name: 'JSON',
  description: 'A value the ESI spec leaves free-form, as ESI sent it.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literalValue(ast, variables),
});
