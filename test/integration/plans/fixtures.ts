import type { Db } from '../../../src/db/client.ts';
import { newId } from '../../../src/lib/ids.ts';

export interface Tenant {
  organizationId: string;
  teamId: string;
  userId: string;
  apiKeyId: string;
}

/** An organization with one team, one member user and one API key of that user in the team. */
export async function createTenant(db: Db, name = 'acme'): Promise<Tenant> {
  const organizationId = newId('org');
  const teamId = newId('team');
  const userId = newId('user');
  const apiKeyId = newId('key');
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
      prefix: 'tg_test',
      hash: `hash-${apiKeyId}`,
      scopes: ['inference', 'read'],
    },
  });
  return { organizationId, teamId, userId, apiKeyId };
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
