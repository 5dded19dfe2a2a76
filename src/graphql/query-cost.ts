import { complexityFromQuery, type FieldComplexityValue } from '@pothos/plugin-complexity';
import {
  type DocumentNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  visit,
} from 'graphql';
import { rootFieldNames } from './root-fields.ts';

/**
 * The cost model, Shopify's in GitHub's units: what an operation costs is about how many objects it
 * may load.
 * - a scalar or enum field costs 0 (it comes with its object);
 * - an object field costs 1;
 * - a connection costs 2 plus its page size (`first`/`last`, else the default page, at most the
 *   maximum page the gateway serves) times what one of its nodes costs; `pageInfo` and `edges`
 *   themselves cost nothing;
 * - any other list of objects costs 1 plus LIST_SIZE_ASSUMED times what one item costs;
 * - a mutation's root field costs MUTATION_COST more (it writes).
 * A field whose resolver is expensive declares its own `complexity` next to its definition
 * (Pothos complexity plugin); this is the default for every other field.
 */
export const CONNECTION_PAGE_DEFAULT = 20;
export const CONNECTION_PAGE_MAX = 100;
const CONNECTION_COST = 2;
const LIST_SIZE_ASSUMED = 10;
const MUTATION_COST = 10;

// The schema's types come from whichever copy of graphql Pothos loaded (CommonJS under some
// loaders), so graphql's own isListType/isLeafType (instanceof, and a throw across copies outside
// production) cannot be used on them: these look at their shape instead.
function namedType(type: GraphQLOutputType): GraphQLNamedType {
  let t: GraphQLOutputType = type;
  while ('ofType' in t) t = t.ofType;
  return t;
}
const isLeaf = (named: GraphQLNamedType) => 'serialize' in named;
const isList = (type: GraphQLOutputType) => String(type).startsWith('[');

function isConnection(named: GraphQLNamedType): boolean {
  if (!('getFields' in named)) return false;
  const fields = named.getFields();
  return 'edges' in fields && 'pageInfo' in fields;
}

/** The page a connection will load for these arguments (the Prisma plugin clamps the same way). */
export function connectionPageSize(args: { first?: unknown; last?: unknown }): number {
  const asked =
    typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : null;
  if (asked === null || !Number.isFinite(asked)) return CONNECTION_PAGE_DEFAULT;
  return Math.min(Math.max(asked, 0), CONNECTION_PAGE_MAX);
}

export function fieldCost<Ctx>(
  args: Record<string, unknown>,
  _ctx: Ctx,
  field: GraphQLField<unknown, Ctx, Record<string, unknown>>,
): FieldComplexityValue {
  const named = namedType(field.type);
  if (isLeaf(named) || named.name === 'PageInfo') return 0;
  if (isConnection(named)) return { field: CONNECTION_COST, multiplier: connectionPageSize(args) };
  if (isList(field.type)) {
    // A connection's edges are its page, already counted on the connection.
    if (field.name === 'edges' && named.name.endsWith('Edge')) return { field: 0, multiplier: 1 };
    return { field: 1, multiplier: LIST_SIZE_ASSUMED };
  }
  return 1;
}

/**
 * What `operation` (of `document`) costs under the model above, before it runs. Throws a
 * GraphQLError for variables that do not fit their definitions.
 */
export function operationCost(input: {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown> | null | undefined;
  context: object;
}): number {
  const { schema, document, operation } = input;
  // complexityFromQuery measures a document's first operation: give it only this one. `__typename`
  // comes with its object like any scalar, but the complexity plugin prices a meta-field as an object
  // (1): urql and Apollo add it to every selection, which tripled what the console's lists cost.
  const single: DocumentNode = visit(
    {
      kind: Kind.DOCUMENT,
      definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)],
    },
    { Field: (node) => (node.name.value === '__typename' ? null : undefined) },
  );
  const { complexity } = complexityFromQuery(single, {
    schema,
    ctx: input.context,
    variables: input.variables ?? {},
  });
  const writes =
    operation.operation === 'mutation'
      ? rootFieldNames(document, operation).filter((name) => name !== '__typename').length
      : 0;
  return complexity + writes * (MUTATION_COST - 1);
}
