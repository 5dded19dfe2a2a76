import SchemaBuilder from '@pothos/core';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context.ts';
import { KEY_SCOPES_PLUGIN, keyScopeOf } from '../../../src/graphql/key-scopes.ts';
import type { ApiScope, Principal } from '../../../src/identity/principal.ts';

// Pothos builds the schema with graphql's CommonJS build; use the same copy.
const { execute, parse } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/** A schema of its own, so the test shows what happens to a field someone forgot to declare. */
// The other plugins' options are declared globally; this builder uses only the key-scopes plugin.
const builder = new SchemaBuilder<{ Context: Context }>({ plugins: [KEY_SCOPES_PLUGIN] } as never);
builder.queryType({
  fields: (t) => ({
    forgotten: t.string({ resolve: () => 'data' }),
    reading: t.string({ keyScope: 'read', resolve: () => 'data' }),
    open: t.string({ keyScope: 'none', resolve: () => 'data' }),
  }),
});
const schema = builder.toSchema();

const key = (scopes: ApiScope[]) =>
  ({
    kind: 'api_key',
    apiKeyId: 'key_1',
    userId: 'user_1',
    organizationId: 'org_1',
    teamId: null,
    scopes,
    role: 'owner',
    isPlatformAdmin: true,
    modelAllowlist: [],
  }) satisfies Principal;

async function run(field: string, principal: Principal | null) {
  const r = await execute({
    schema,
    document: parse(`{ ${field} }`),
    contextValue: { principal, requestId: 'r', services: {} } as unknown as Context,
  });
  return r.errors?.[0]?.originalError && 'code' in r.errors[0].originalError
    ? (r.errors[0].originalError as { code: string }).code
    : (r.data?.[field] ?? null);
}

describe('key scopes plugin', () => {
  it('a field without a declaration refuses every API key (fails closed), even a platform admin’s', async () => {
    expect(keyScopeOf(schema.getQueryType()!.getFields().forgotten!)).toBeUndefined();
    expect(await run('forgotten', key(['inference', 'read', 'manage', 'billing']))).toBe('SCOPE_NOT_ALLOWED');
    expect(await run('forgotten', { kind: 'platform_admin', userId: null })).toBe('data');
  });

  it('a declared field admits a key with the scope and refuses one without', async () => {
    expect(keyScopeOf(schema.getQueryType()!.getFields().reading!)).toBe('read');
    expect(await run('reading', key(['read']))).toBe('data');
    expect(await run('reading', key(['inference', 'manage', 'billing']))).toBe('SCOPE_NOT_ALLOWED');
    expect(await run('reading', null)).toBe('UNAUTHENTICATED');
  });

  it('none needs no scope', async () => {
    expect(await run('open', key([]))).toBe('data');
    expect(await run('open', null)).toBe('data');
  });
});
