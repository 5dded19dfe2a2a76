import { expect } from 'vitest';
import type { TestApp } from '../helpers/app.ts';

export interface Tenant {
  orgId: string;
  ownerId: string;
  /** The owner's key: read, manage, billing. */
  key: string;
  keyId: string;
  memberIds: string[];
}

/** An organization with its owner, the owner's key and `members` more users, made by the platform admin. */
export async function createTenant(t: TestApp, slug: string, members = 0): Promise<Tenant> {
  const org = await t.gql(
    `mutation($slug: String!) { createOrganization(input: { name: $slug, slug: $slug, ownerEmail: "${slug}-owner@example.test" }) { id memberships(first: 1) { edges { node { user { id } } } } } }`,
    { slug },
  );
  expect(org.errors).toBeUndefined();
  const orgId: string = org.data.createOrganization.id;
  const ownerId: string = org.data.createOrganization.memberships.edges[0].node.user.id;
  const key = await t.gql(
    `mutation($o: ID!, $u: ID!) { createApiKey(input: { organizationId: $o, userId: $u, name: "owner", scopes: [READ, MANAGE, BILLING] }) { secret apiKey { id } } }`,
    { o: orgId, u: ownerId },
  );
  expect(key.errors).toBeUndefined();
  const memberIds: string[] = [];
  for (let i = 0; i < members; i++) {
    const user = await t.gql(
      `mutation($o: ID!, $e: String!) { createUser(input: { organizationId: $o, email: $e, role: MEMBER }) { id } }`,
      { o: orgId, e: `${slug}-m${i}@example.test` },
    );
    expect(user.errors).toBeUndefined();
    memberIds.push(user.data.createUser.id);
  }
  return {
    orgId,
    ownerId,
    key: key.data.createApiKey.secret,
    keyId: key.data.createApiKey.apiKey.id,
    memberIds,
  };
}

/** POSTs a GraphQL document and keeps the HTTP status and headers (TestApp.gql keeps only the body). */
export async function post(
  t: TestApp,
  query: string,
  opts: { token?: string | null; variables?: Record<string, unknown> } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: JSON.stringify({ query, variables: opts.variables }),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

export const codes = (body: { errors?: { extensions?: { code?: string } }[] }) =>
  (body.errors ?? []).map((e) => e.extensions?.code);
