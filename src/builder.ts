import SchemaBuilder, { type SchemaTypes } from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError, Kind } from 'graphql';
import type { Context } from './context.ts';
import { KEY_SCOPES_PLUGIN } from './graphql/key-scopes.ts';
import { type AuthScopes, authScopesOf } from './graphql/access/scopes.ts';
import { parseGlobalId } from './graphql/ids.ts';
import { visibleNode } from './graphql/node-lookup.ts';
import { CONNECTION_PAGE_DEFAULT, CONNECTION_PAGE_MAX, fieldCost } from './graphql/query-cost.ts';
import type PrismaTypes from './generated/pothos-types.ts';
import { getDatamodel } from './generated/pothos-types.ts';
import { ForbiddenError, UnauthenticatedError, ValidationError } from './lib/errors.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: {
    /** 64-bit integer amounts, serialised as decimal strings (GraphQL Int is 32-bit). */
    BigInt: { Input: bigint; Output: bigint | number | string };
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
  AuthScopes: AuthScopes;
}>({
  defaultFieldNullability: false,
  // Key scopes first: its check wraps (runs before) every other plugin's (src/graphql/key-scopes.ts).
  plugins: [KEY_SCOPES_PLUGIN, ScopeAuthPlugin, PrismaPlugin, RelayPlugin, ComplexityPlugin],
  complexity: {
    // Every field's cost (src/graphql/query-cost.ts) unless it declares its own `complexity`.
    fieldComplexity: fieldCost,
    // Enforced before execution by src/graphql/operation-guard.ts, which also charges the budget.
    disabled: true,
  },
  scopeAuth: {
    treatErrorsAsUnauthorized: false,
    unauthorizedError: (_parent, context, _info, result) =>
      context.principal ? new ForbiddenError(result.message) : new UnauthenticatedError(),
    authScopes: async (context) => authScopesOf(context),
  },
  prisma: {
    client: (ctx) => ctx.services.db,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
    // The cost model prices a connection by the page it will load: keep them the same numbers.
    defaultConnectionSize: CONNECTION_PAGE_DEFAULT,
    maxConnectionSize: CONNECTION_PAGE_MAX,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // The plugin's own decoder throws a plain Error on a malformed id, which would surface as
    // INTERNAL; a bad id is the client's mistake.
    decodeGlobalID: (globalID) => {
      const decoded = parseGlobalId(globalID);
      if (!decoded)
        throw new ValidationError(`'${globalID.slice(0, 64)}' is not a valid global id`, { param: 'id' });
      return decoded;
    },
    // NOT_FOUND alike for a missing id, another tenant's id and a non-node type (src/graphql/node-lookup.ts).
    nodeQueryOptions: {
      keyScope: 'read',
      resolve: (_root, args, ctx, info): Promise<unknown> => visibleNode(schemaBuilder(), ctx, info, args.id),
    },
    nodesQueryOptions: {
      keyScope: 'read',
      resolve: (_root, args, ctx, info): Promise<unknown>[] =>
        args.ids.map((id) => visibleNode(schemaBuilder(), ctx, info, id)),
    },
  },
});

/** The builder for the node resolvers above, which its own type cannot refer to while it is inferred. */
function schemaBuilder(): PothosSchemaTypes.SchemaBuilder<SchemaTypes> {
  return builder as unknown as PothosSchemaTypes.SchemaBuilder<SchemaTypes>;
}

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

builder.scalarType('BigInt', {
  description: 'A 64-bit integer (money in minor or nano units), serialised as a decimal string.',
  serialize: (v) => BigInt(v as bigint | number | string).toString(),
  parseValue: (v) => {
    if (
      (typeof v === 'string' && /^-?\d{1,19}$/.test(v)) ||
      (typeof v === 'number' && Number.isSafeInteger(v))
    )
      return BigInt(v);
    throw new GraphQLError('BigInt must be an integer or a decimal string of an integer', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  },
  parseLiteral: (ast) => {
    if ((ast.kind === Kind.STRING && /^-?\d{1,19}$/.test(ast.value)) || ast.kind === Kind.INT)
      return BigInt(ast.value);
    throw new GraphQLError('BigInt must be an integer or a decimal string of an integer', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  },
});

builder.scalarType('DateTime', {
  description: 'An ISO-8601 timestamp in UTC.',
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString()),
  parseValue: (v) => {
    const d = new Date(String(v));
    if (typeof v !== 'string' || Number.isNaN(d.getTime()))
      throw new GraphQLError('DateTime must be an ISO-8601 string', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    return d;
  },
});

builder.scalarType('JSON', {
  serialize: (v) => v,
  parseValue: (v) => v,
});
