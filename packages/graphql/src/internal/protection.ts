// Refusing expensive queries before they run: GraphQL Armor's depth and alias rules, plus a
// cost estimate in ESI calls from the operation table (each operation field is a call, a list
// multiplies what is below it, linked names are batched 1,000 to a call).
import {
  GraphQLError,
  GraphQLList,
  GraphQLNonNull,
  NoSchemaIntrospectionCustomRule,
  OperationTypeNode,
  getNamedType,
  isObjectType,
  isInterfaceType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { OpExtension } from './resolvers.js';
import type { LinkExtension } from './types.js';
import { NAMES_BATCH } from './context.js';
import { maxAliases, maxDepth } from './lazy.js';

export interface Limits {
  readonly maxEsiCalls: number;
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly assumedListSize: number;
  readonly assumedPages: number;
  readonly introspection: boolean;
}

const isList = (t: GraphQLOutputType): boolean =>
  t instanceof GraphQLList || (t instanceof GraphQLNonNull && t.ofType instanceof GraphQLList);

/** Estimated ESI calls of a selection; exported for tests and the README's worked example. */
export function estimateCalls(
  context: Pick<ValidationContext, 'getFragment' | 'getSchema'>,
  selection: SelectionSetNode,
  type: GraphQLNamedType,
  limits: Pick<Limits, 'assumedListSize' | 'assumedPages'>,
  multiplier = 1,
  seen = new Set<string>(),
): { calls: number; names: number } {
  let calls = 0;
  let names = 0;
  const add = (r: { calls: number; names: number }): void => {
    calls += r.calls;
    names += r.names;
  };
  for (const node of selection.selections) {
    if (node.kind === Kind.INLINE_FRAGMENT) {
      const on = node.typeCondition
        ? context.getSchema().getType(node.typeCondition.name.value)
        : undefined;
      add(estimateCalls(context, node.selectionSet, on ?? type, limits, multiplier, seen));
      continue;
    }
    if (node.kind === Kind.FRAGMENT_SPREAD) {
      if (seen.has(node.name.value)) continue;
      const fragment: FragmentDefinitionNode | undefined | null = context.getFragment(
        node.name.value,
      );
      if (!fragment) continue;
      add(
        estimateCalls(
          context,
          fragment.selectionSet,
          type,
          limits,
          multiplier,
          new Set([...seen, node.name.value]),
        ),
      );
      continue;
    }
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    const def = type.getFields()[node.name.value];
    if (!def) continue;
    const ext = def.extensions as Partial<OpExtension & LinkExtension>;
    if (ext.esiOp) {
      const paged =
        ext.esiOp.op.pagination === 'pages' &&
        !node.arguments?.some((a) => a.name.value === 'page');
      calls += multiplier * (paged ? limits.assumedPages : 1);
    }
    if (ext.esiLink && node.selectionSet) {
      const onlyName = node.selectionSet.selections.every(
        (s) => s.kind === Kind.FIELD && ['id', 'name', '__typename'].includes(s.name.value),
      );
      if (onlyName) names += multiplier;
      else calls += multiplier;
    }
    if (node.selectionSet) {
      const below = isList(def.type) ? multiplier * limits.assumedListSize : multiplier;
      add(estimateCalls(context, node.selectionSet, getNamedType(def.type), limits, below, seen));
    }
  }
  return { calls, names };
}

function costRule(limits: Limits): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const schema = context.getSchema();
      const root =
        node.operation === OperationTypeNode.QUERY
          ? schema.getQueryType()
          : node.operation === OperationTypeNode.MUTATION
            ? schema.getMutationType()
            : schema.getSubscriptionType();
      if (!root) return;
      const { calls, names } = estimateCalls(context, node.selectionSet, root, limits);
      const estimate = Math.ceil(calls + (names > 0 ? Math.ceil(names / NAMES_BATCH) : 0));
      if (estimate > limits.maxEsiCalls)
        context.reportError(
          new GraphQLError(
            `This query may need about ${estimate} ESI calls, more than the limit of ${limits.maxEsiCalls}: ask for fewer fields or fewer linked entities, or use pages`,
            {
              nodes: node,
              extensions: { code: 'TOO_EXPENSIVE', estimate, limit: limits.maxEsiCalls },
            },
          ),
        );
    },
  });
}

/** A GraphQL Armor rule, created with its options (and its module loaded) on first validation. */
function armorRule(create: () => ValidationRule): ValidationRule {
  let rule: ValidationRule | undefined;
  return (context) => (rule ??= create())(context);
}

/** Every validation rule the limits ask for, for any GraphQL server. */
export function protectionRules(limits: Limits): ValidationRule[] {
  const rules: ValidationRule[] = [
    armorRule(() =>
      maxDepth().maxDepthRule({
        n: limits.maxDepth,
        ignoreIntrospection: true,
        flattenFragments: true,
      }),
    ),
    armorRule(() => maxAliases().maxAliasesRule({ n: limits.maxAliases })),
    costRule(limits),
  ];
  if (!limits.introspection) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}
