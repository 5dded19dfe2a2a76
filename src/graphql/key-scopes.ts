import SchemaBuilder, {
  BasePlugin,
  type FieldNullability,
  type InputFieldMap,
  type PothosOutputFieldConfig,
  type SchemaTypes,
  type TypeParam,
} from '@pothos/core';
import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import type { Context } from '../context.ts';
import { API_SCOPES, type ApiScope, hasScope } from '../identity/principal.ts';
import { SessionExpiredError } from '../identity/sign-in/errors.ts';
import { ScopeNotAllowedError, UnauthenticatedError } from '../lib/errors.ts';

/**
 * The API-key scope a root field needs, declared next to the field (`keyScope: 'manage'`).
 * `none`: any caller the field's own authScopes admit (health, viewer). A Query, Mutation or
 * Subscription field without a declaration refuses every API key: forgetting it fails closed, and
 * test/security/scopes-walk.test.ts fails.
 */
export type KeyScope = ApiScope | 'none';
export const KEY_SCOPE_VALUES: readonly KeyScope[] = [...API_SCOPES, 'none'];

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      keyScopes: KeyScopePlugin<Types>;
    }
    interface FieldOptions<
      Types extends SchemaTypes,
      ParentShape,
      Type extends TypeParam<Types>,
      Nullable extends FieldNullability<Type>,
      Args extends InputFieldMap,
      ResolveShape,
      ResolveReturnShape,
    > {
      /** The API-key scope this field needs (root fields; docs/security.md#scopes). */
      keyScope?: KeyScope;
    }
  }
}

/** The name to list in the builder's `plugins`. */
export const KEY_SCOPES_PLUGIN = 'keyScopes' as const;

const ROOT_KINDS = new Set(['Query', 'Mutation', 'Subscription']);

/** The declaration of a built root field, as the plugin and the schema walk read it. */
export function keyScopeOf(field: { extensions?: { pothosOptions?: unknown } | null }): KeyScope | undefined {
  return (field.extensions?.pothosOptions as { keyScope?: KeyScope } | undefined)?.keyScope;
}

/**
 * Root fields a request whose session cookie failed may still use: signing in again (a stale
 * cookie must not lock anyone out) and the public sign-in settings. signOut also passes when the
 * session merely ended (it then clears the cookies), never with a wrong CSRF token.
 */
const SESSION_OPTIONAL_FIELDS = new Set([
  'signIn',
  'authSettings',
  // Reached from an email or the sign-in page; none reads the session.
  'signUp',
  'verifyEmail',
  'requestPasswordReset',
  'resetPassword',
]);

/** Throws unless the caller's credential carries `scope` (the admin token carries every scope). */
export function requireKeyScope(ctx: Context, scope: KeyScope | undefined, field: string): void {
  const rejection = ctx.sessionRejection;
  if (
    rejection &&
    !(SESSION_OPTIONAL_FIELDS.has(field) || (field === 'signOut' && rejection instanceof SessionExpiredError))
  )
    throw rejection;
  if (scope === 'none') return;
  const p = ctx.principal;
  if (p === null) throw new UnauthenticatedError();
  if (p.kind === 'platform_admin') return;
  if (scope === undefined) throw new ScopeNotAllowedError(`(undeclared for ${field})`);
  if (!hasScope(p, scope)) throw new ScopeNotAllowedError(scope);
}

export class KeyScopePlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  private isRoot(fieldConfig: PothosOutputFieldConfig<Types>): boolean {
    return ROOT_KINDS.has(this.buildCache.getTypeConfig(fieldConfig.parentType).kind);
  }

  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (!this.isRoot(fieldConfig)) return resolver;
    const scope = (fieldConfig.pothosOptions as { keyScope?: KeyScope }).keyScope;
    const name = fieldConfig.name;
    return (parent, args, ctx, info) => {
      requireKeyScope(ctx as Context, scope, name);
      return resolver(parent, args, ctx, info);
    };
  }

  override wrapSubscribe(
    subscribe: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> | undefined {
    if (!subscribe || !this.isRoot(fieldConfig)) return subscribe;
    const scope = (fieldConfig.pothosOptions as { keyScope?: KeyScope }).keyScope;
    const name = fieldConfig.name;
    return (parent, args, ctx, info) => {
      requireKeyScope(ctx as Context, scope, name);
      return subscribe(parent, args, ctx, info);
    };
  }
}

SchemaBuilder.registerPlugin(KEY_SCOPES_PLUGIN, KeyScopePlugin);

/** The `## Scopes` table of docs/security.md, generated from the schema (npm run docs:scopes). */
export function scopesTable(schema: GraphQLSchema): string {
  const rows: string[] = [];
  for (const [kind, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const)
    for (const field of Object.values(type?.getFields() ?? {}))
      rows.push(`| ${kind} | \`${field.name}\` | ${keyScopeOf(field) ?? '**undeclared**'} |`);
  return ['| Operation | Field | Key scope |', '|---|---|---|', ...rows].join('\n');
}
