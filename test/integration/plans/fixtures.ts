import type { Db } from '../../../src/db/client.ts';
import { generateApiKeySecret } from '../../../src/identity/api-keys.ts';
import { newId } from '../../../src/lib/ids.ts';

export interface Tenant {
  organizationId: string;
  teamId: string;
  userId: string;
  apiKeyId: string;
  /** The API key's secret (role owner). */
  secret: string;
}

/** Another member of the organization with an API key of its own. */
export async function addMember(db: Db, t: Tenant, role: 'owner' | 'admin' | 'member') {
  const userId = newId('user');
  const apiKeyId = newId('key');
  const key = generateApiKeySecret();
  await db.user.create({ data: { id: userId, email: `${userId}@example.com` } });
  await db.membership.create({ data: { id: newId('mem'), organizationId: t.organizationId, userId, role } });
  await db.apiKey.create({
    data: {
      id: apiKeyId,
      organizationId: t.organizationId,
      userId,
      name: role,
      prefix: key.prefix,
      hash: key.hash,
      scopes: ['inference', 'read', 'manage', 'billing'],
    },
  });
  return { userId, apiKeyId, secret: key.secret };
}

/** An organization with one team, one member user and one API key of that user in the team. */
export async function createTenant(db: Db, name = 'acme'): Promise<Tenant> {
  const organizationId = newId('org');
  const teamId = newId('team');
  const userId = newId('user');
  const apiKeyId = newId('key');
  const key = generateApiKeySecret();
  await db.organization.create({
    data: { id: organizationId, name, slug: `${name}-${organizationId.slice(-8)}` },
  });
  await db.user.create({ data: { id: userId, email: `${userId}@example.com` } });
  await db.membership.create({ data: { id: newId('mem'), organizationId, userId, role: 'owner' } });
  await db.team.create({ data: { id: teamId, organizationId, name: 'core' } });
  await db.apiKey.create({
    data: {
      id: apiKeyId,
      organizationId,
      userId,
      teamId,
      name: 'ci',
      prefix: key.prefix,
      hash: key.hash,
      scopes: ['inference', 'read', 'manage', 'billing'],
    },
  });
  return { organizationId, teamId, userId, apiKeyId, secret: key.secret };
}

/** A usage record as the proxy writes it after a request. */
export async function insertUsage(
  db: Db,
  t: Tenant,
  r: {
    planDay: string;
    model: string;
    costNanos: bigint;
    promptTokens?: number;
    completionTokens?: number;
    currency?: string;
    status?: string;
    apiKeyId?: string;
  },
) {
  await db.usageRecord.create({
    data: {
      id: newId('usage'),
      requestId: newId('req'),
      organizationId: t.organizationId,
      teamId: t.teamId,
      userId: t.userId,
      apiKeyId: r.apiKeyId ?? t.apiKeyId,
      currency: r.currency ?? 'USD',
      endpoint: '/v1/chat/completions',
      modelRequested: r.model,
      modelServed: r.model,
      promptTokens: r.promptTokens ?? 0,
      completionTokens: r.completionTokens ?? 0,
      costNanos: r.costNanos,
      status: r.status ?? 'succeeded',
      planDay: r.planDay,
    },
  });
}
