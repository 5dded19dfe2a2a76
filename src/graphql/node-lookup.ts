import type { SchemaTypes } from '@pothos/core';
import { resolveNodes } from '@pothos/plugin-relay';
import { RequestCache } from '@pothos/plugin-scope-auth';
import type { GraphQLInterfaceType, GraphQLResolveInfo } from 'graphql';
import { Prisma } from '../generated/prisma/client.ts';
import { NotFoundError } from '../lib/errors.ts';

type GlobalId = { typename: string; id: string };

function isRecordNotFound(e: unknown): boolean {
  // Prisma's P2025: the Prisma plugin loads a node with findUniqueOrThrow.
  return e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2025';
}

/**
 * `node(id:)` and `nodes(ids:)`: the object with that global id if the caller may see it, else
 * NOT_FOUND, the same answer (message included) whether the id names nothing, an object of another
 * organization, or a type that is not a Node, so no answer tells whether another tenant's id exists.
 * The object's own type-level auth scopes decide visibility, evaluated here through scope-auth's
 * per-request cache (so its fields do not evaluate them again) instead of failing later on its
 * fields with FORBIDDEN.
 */
export async function visibleNode<Types extends SchemaTypes>(
  builder: PothosSchemaTypes.SchemaBuilder<Types>,
  context: Types['Context'],
  info: GraphQLResolveInfo,
  globalId: GlobalId,
): Promise<unknown> {
  const notFound = () => new NotFoundError('Node', `${globalId.typename}:${globalId.id}`.slice(0, 128));
  // The schema's own methods, not graphql's isObjectType: Pothos may have loaded another copy of graphql.
  const nodeInterface = info.schema.getType('Node') as GraphQLInterfaceType;
  if (!info.schema.getPossibleTypes(nodeInterface).some((t) => t.name === globalId.typename))
    throw notFound();
  let node: unknown;
  try {
    [node] = await resolveNodes(builder, context as object, info, [globalId]);
  } catch (e) {
    if (isRecordNotFound(e)) throw notFound();
    throw e;
  }
  if (node == null) throw notFound();
  const { authScopes } = builder.configStore.getTypeConfig(globalId.typename).pothosOptions as {
    authScopes?: unknown;
  };
  if (authScopes !== undefined) {
    const scopes = RequestCache.fromContext(context, builder);
    const failure = await (typeof authScopes === 'function'
      ? scopes.evaluateTypeScopeFunction(authScopes as never, globalId.typename, node, info)
      : scopes.evaluateScopeMap(authScopes as never, info));
    if (failure) throw notFound();
  }
  return node;
}
