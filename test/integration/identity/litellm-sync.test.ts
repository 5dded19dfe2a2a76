import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret } from '../../../src/identity/crypto.ts';
import { LiteLLMAdminDouble } from '../../doubles/litellm-admin/index.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const raw = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/** Keys the limited owner key creates must stay within its limits (docs/security.md#key-limits). */
const WITHIN_OWNER =
  'modelAllowlist:["gpt-4o-mini"], budgetNanos:"2000000000", budgetCurrency:"USD", rpmLimit: 30';

describe('LiteLLM admin sync through the outbox', () => {
  let db: TestDatabase;
  let t: TestApp;
  let litellm: LiteLLMAdminDouble;
  let orgId: string;
  let ownerKey: string;
  const drain = () => t.app.services.outbox.drain(50);

  beforeAll(async () => {
    litellm = await new LiteLLMAdminDouble().start();
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, {
      env: {
        LITELLM_URL: litellm.url,
        LITELLM_MASTER_KEY: litellm.masterKey,
        TOLLGATE_ENCRYPTION_KEY: ENCRYPTION_KEY,
        LITELLM_BUDGET_SYNC_INTERVAL_MS: '0',
        OUTBOX_BACKOFF_BASE_MS: '1',
        OUTBOX_BACKOFF_MAX_MS: '1',
        OUTBOX_MAX_ATTEMPTS: '1000',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await db.close();
    await litellm.close();
  });

  it('piles changes up while LiteLLM is down and loses none when it comes back', async () => {
    await litellm.goDown('refused');
    const org = await t.gql(
      'mutation { createOrganization(input:{name:"Acme", slug:"acme", ownerEmail:"owner@acme.test"}) { id } }',
    );
    orgId = raw(org.data.createOrganization.id);
    const owner = await db.prisma.user.findFirstOrThrow({ where: { email: 'owner@acme.test' } });
    const k = await t.gql(
      `mutation { createApiKey(input:{organizationId:"${orgId}", userId:"${owner.id}", name:"owner", scopes:[READ,MANAGE,INFERENCE], modelAllowlist:["gpt-4o-mini"], budgetNanos:"2500000000", budgetCurrency:"USD", rpmLimit: 30}) { secret apiKey { id syncState } } }`,
    );
    ownerKey = k.data.createApiKey.secret;
    expect(k.data.createApiKey.apiKey.syncState).toBe('pending');
    const team = await t.gql(
      `mutation { createTeam(input:{organizationId:"${orgId}", name:"Research"}) { id } }`,
      {},
      { token: ownerKey },
    );
    const teamId = raw(team.data.createTeam.id);
    await t.gql(
      `mutation { addTeamMember(input:{teamId:"${teamId}", userId:"${owner.id}"}) { id } }`,
      {},
      { token: ownerKey },
    );
    const teamKey = await t.gql(
      `mutation { createApiKey(input:{name:"team key", teamId:"${teamId}", scopes:[INFERENCE], ${WITHIN_OWNER}}) { apiKey { id } } }`,
      {},
      { token: ownerKey },
    );
    const doomed = await t.gql(
      `mutation { createApiKey(input:{name:"doomed", scopes:[INFERENCE], ${WITHIN_OWNER}}) { apiKey { id } } }`,
      {},
      { token: ownerKey },
    );
    await t.gql(
      `mutation { revokeApiKey(id:"${doomed.data.createApiKey.apiKey.id}") { id } }`,
      {},
      { token: ownerKey },
    );
    await t.gql(
      `mutation { updateApiKey(input:{id:"${teamKey.data.createApiKey.apiKey.id}", tpmLimit: 9000}) { id } }`,
      {},
      { token: ownerKey },
    );

    // Down: the worker tries, fails, and keeps everything.
    await t.app.services.outbox.drain(3);
    expect(litellm.teams.size + litellm.users.size + litellm.keys.size).toBe(0);
    const pending = await db.prisma.outboxMessage.findMany({ where: { topic: { startsWith: 'litellm.' } } });
    expect(pending.length).toBe(8);
    expect(pending.every((m) => m.status === 'pending')).toBe(true);
    expect(pending.some((m) => m.attempts > 0 && m.lastError?.includes('unreachable'))).toBe(true);
    expect((await db.prisma.externalMapping.findMany()).every((m) => m.syncState === 'pending')).toBe(true);

    await litellm.comeBack();
    await drain();
    expect(await db.prisma.outboxMessage.count({ where: { status: { not: 'delivered' } } })).toBe(0);
    expect([...litellm.teams.keys()].sort()).toEqual([orgId, teamId].sort());
    expect(litellm.teams.get(orgId)!.metadata).toEqual({
      tollgate_entity: 'organization',
      tollgate_organization_id: orgId,
    });
    expect(litellm.users.get(owner.id)).toMatchObject({ user_email: 'owner@acme.test' });
    expect(litellm.keys.size).toBe(2); // the revoked key was created and deleted, or never created
    const ownerRow = await db.prisma.apiKey.findFirstOrThrow({ where: { name: 'owner' } });
    const mirrored = litellm.keys.get(ownerRow.litellmKeyHash!)!;
    expect(mirrored).toMatchObject({
      key_alias: `tollgate-${ownerRow.id}`,
      user_id: owner.id,
      team_id: orgId,
      models: ['gpt-4o-mini'],
      // The organization bills in USD and has no wallet yet, so no money: LiteLLM refuses the key
      // (its own 2.5 USD budget is the cap once a wallet has room).
      max_budget: 0,
      rpm_limit: 30,
      metadata: {
        tollgate_api_key_id: ownerRow.id,
        tollgate_organization_id: orgId,
        tollgate_user_id: owner.id,
      },
    });
    const teamRow = await db.prisma.apiKey.findFirstOrThrow({ where: { name: 'team key' } });
    expect(litellm.keys.get(teamRow.litellmKeyHash!)).toMatchObject({ team_id: teamId, tpm_limit: 9000 });
    expect(await db.prisma.apiKey.count({ where: { syncState: 'synced' } })).toBe(2);
    expect(
      await db.prisma.apiKey.count({ where: { name: 'doomed', syncState: { in: ['deleted', 'pending'] } } }),
    ).toBe(1);
    expect((await db.prisma.externalMapping.findMany()).every((m) => m.syncState === 'synced')).toBe(true);
    // Every admin call carried the master key and a request id.
    expect(litellm.calls.every((c) => typeof c.requestId === 'string' && c.requestId.length > 0)).toBe(true);
  });

  it('stores the LiteLLM secret encrypted and hands it to the proxy once synced', async () => {
    const row = await db.prisma.apiKey.findFirstOrThrow({ where: { name: 'owner' } });
    expect(row.litellmSecretEncrypted).not.toContain('sk-');
    const secret = decryptSecret(row.litellmSecretEncrypted!, ENCRYPTION_KEY);
    expect(sha256(secret)).toBe(row.litellmKeyHash);
    await expect(t.app.services.litellm.credentialFor(row.id)).resolves.toBe(secret);
    const fresh = await t.gql(
      `mutation { createApiKey(input:{name:"fresh", scopes:[INFERENCE], ${WITHIN_OWNER}}) { apiKey { id } } }`,
      {},
      { token: ownerKey },
    );
    await expect(t.app.services.litellm.credentialFor(raw(fresh.data.createApiKey.apiKey.id))).resolves.toBe(
      litellm.masterKey,
    );
    await drain();
  });

  it('merges metadata on /key/update and never resends key_alias', async () => {
    const row = await db.prisma.apiKey.findFirstOrThrow({ where: { name: 'owner' } });
    litellm.keys.get(row.litellmKeyHash!)!.metadata.team_note = 'set by an operator in LiteLLM';
    const before = litellm.calls.length;
    await t.gql(
      `mutation { updateApiKey(input:{id:"${row.id}", modelAllowlist:["gpt-4o","gpt-4o-mini"], budgetNanos: null}) { id } }`,
      {},
      // A platform admin: the owner's key may not widen its own limits (docs/security.md#key-limits).
    );
    await drain();
    const updates = litellm.calls.slice(before).filter((c) => c.path === '/key/update');
    // One update mirrors the key, the next sets its budget (0: no wallet, no money yet).
    expect(updates.filter((c) => 'metadata' in c.body).length).toBe(1);
    for (const u of updates) expect(u.body).not.toHaveProperty('key_alias');
    expect(litellm.keys.get(row.litellmKeyHash!)).toMatchObject({
      models: ['gpt-4o', 'gpt-4o-mini'],
      max_budget: 0,
      metadata: { team_note: 'set by an operator in LiteLLM', tollgate_api_key_id: row.id },
    });
  });

  it('a retry after a lost response creates nothing twice', async () => {
    const k = await t.gql(
      `mutation { createApiKey(input:{name:"lost", scopes:[INFERENCE], ${WITHIN_OWNER}}) { apiKey { id } } }`,
      {},
      { token: ownerKey },
    );
    const row = await db.prisma.apiKey.findUniqueOrThrow({
      where: { id: raw(k.data.createApiKey.apiKey.id) },
    });
    // The first /key/generate reached LiteLLM but its answer never came back.
    const secret = decryptSecret(row.litellmSecretEncrypted!, ENCRYPTION_KEY);
    const res = await fetch(`${litellm.url}/key/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${litellm.masterKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: secret, key_alias: row.litellmKeyAlias, team_id: orgId }),
    });
    expect(res.status).toBe(200);
    await drain();
    expect([...litellm.keys.values()].filter((x) => x.key_alias === row.litellmKeyAlias).length).toBe(1);
    expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id: row.id } })).syncState).toBe('synced');
    // Replaying team and user creation (their first attempt succeeded) is harmless too.
    const teamsBefore = litellm.teams.size;
    await t.app.services.litellm.syncTeam('organization', orgId);
    const owner = await db.prisma.user.findFirstOrThrow({ where: { email: 'owner@acme.test' } });
    await t.app.services.litellm.syncUser(owner.id);
    expect(litellm.teams.size).toBe(teamsBefore);
  });

  it('rotation mirrors the new key and deletes the old one only after the grace period', async () => {
    const row = await db.prisma.apiKey.findFirstOrThrow({ where: { name: 'lost' } });
    const rot = await t.gql(
      `mutation { rotateApiKey(id:"${row.id}") { apiKey { id } } }`,
      {},
      { token: ownerKey },
    );
    await drain();
    const next = await db.prisma.apiKey.findUniqueOrThrow({
      where: { id: raw(rot.data.rotateApiKey.apiKey.id) },
    });
    expect(litellm.keys.has(next.litellmKeyHash!)).toBe(true);
    expect(litellm.keys.has(row.litellmKeyHash!)).toBe(true);
    const del = await db.prisma.outboxMessage.findFirstOrThrow({
      where: { topic: 'litellm.key.delete', payload: { equals: { apiKeyId: row.id } } },
    });
    expect(del.status).toBe('pending');
    await db.prisma.outboxMessage.update({
      where: { id: del.id },
      data: { nextAttemptAt: new Date(Date.now() - 1000) },
    });
    await drain();
    expect(litellm.keys.has(row.litellmKeyHash!)).toBe(false);
  });

  it('pushes each USD wallet as max_budget on the keys it pays for, exactly, and replaces legacy team budgets', async () => {
    const owner = await db.prisma.user.findFirstOrThrow({ where: { email: 'owner@acme.test' } });
    await db.prisma.wallet.createMany({
      data: [
        {
          id: 'wal_org_usd',
          organizationId: orgId,
          ownerType: 'organization',
          ownerId: orgId,
          currency: 'USD',
          balanceNanos: 12_345_678_901n,
          heldNanos: 345_678_900n,
        },
        {
          id: 'wal_user_usd',
          organizationId: orgId,
          ownerType: 'user',
          ownerId: owner.id,
          currency: 'USD',
          balanceNanos: 1_000_000_000n,
          heldNanos: 2_000_000_000n,
        },
        {
          id: 'wal_org_eur',
          organizationId: orgId,
          ownerType: 'organization',
          ownerId: orgId,
          currency: 'EUR',
          balanceNanos: 99_000_000_000n,
        },
      ],
    });
    // What earlier versions wrote: the remaining balance as the team's lifetime budget.
    litellm.teams.get(orgId)!.max_budget = 12.000000001;
    const before = litellm.calls.length;
    expect(await t.app.services.litellm.budgets.enqueueAll()).toBe(2);
    await drain();
    // Every key here is the owner's, so the owner's wallet pays for all of them: its balance (holds
    // are requests LiteLLM itself will see) less the one nano kept back, on top of each key's spend.
    const synced = await db.prisma.apiKey.findMany({ where: { syncState: 'synced' } });
    expect(synced.length).toBeGreaterThan(0);
    for (const k of synced) expect(litellm.keys.get(k.litellmKeyHash!)!.max_budget).toBe(0.999999999);
    // The organization's LiteLLM team has only keys the owner's wallet pays for: the old number
    // (remaining balance against lifetime spend) is replaced by the same cap on the whole team.
    expect(litellm.teams.get(orgId)!.max_budget).toBe(0.999999999);
    const sent = litellm.calls.slice(before).filter((c) => c.body && 'max_budget' in c.body);
    expect(sent.filter((c) => c.path === '/user/update' && c.body.max_budget !== null)).toEqual([]);
  });

  it('reports spend drift between LiteLLM and Tollgate usage (GraphQL and metric)', async () => {
    const owner = await db.prisma.user.findFirstOrThrow({ where: { email: 'owner@acme.test' } });
    const key = await db.prisma.apiKey.findFirstOrThrow({ where: { name: 'owner' } });
    await db.prisma.usageRecord.create({
      data: {
        id: 'use_1',
        requestId: 'req-drift-1',
        organizationId: orgId,
        userId: owner.id,
        apiKeyId: key.id,
        currency: 'USD',
        endpoint: '/v1/chat/completions',
        modelRequested: 'gpt-4o-mini',
        costNanos: 400_000_000n,
        status: 'succeeded',
      },
    });
    litellm.setSpend('user', owner.id, 0.5);
    const r = await t.gql(
      '{ litellmDrift { entityType entityId litellmSpendUsd tollgateUsageNanos driftNanos } }',
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.litellmDrift).toContainEqual({
      entityType: 'user',
      entityId: owner.id,
      litellmSpendUsd: '0.500000000',
      tollgateUsageNanos: '400000000',
      driftNanos: '100000000',
    });
    expect(r.data.litellmDrift).toContainEqual(
      expect.objectContaining({ entityType: 'organization', entityId: orgId, driftNanos: '-400000000' }),
    );
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    // No tenant ids in labels unless METRICS_TENANT_LABELS: |drift| summed per entity type.
    expect(metrics).toContain('tollgate_litellm_spend_drift_usd{entity_type="user"} 0.1');
    expect(metrics).not.toContain(owner.id);
    const denied = await t.gql('{ litellmDrift { entityId } }', {}, { token: ownerKey });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('keeps changes pending while LiteLLM runs without a database, and syncs once it has one', async () => {
    litellm.db = false;
    const team = await t.gql(
      `mutation { createTeam(input:{organizationId:"${orgId}", name:"Later"}) { id } }`,
      {},
      { token: ownerKey },
    );
    const teamId = raw(team.data.createTeam.id);
    await t.app.services.outbox.drain(2);
    const mapping = await db.prisma.externalMapping.findFirstOrThrow({ where: { entityId: teamId } });
    expect(mapping.syncState).toBe('pending');
    expect(mapping.syncError).toContain('No db connected');
    litellm.db = true;
    await drain();
    expect(litellm.teams.has(teamId)).toBe(true);
    expect(
      (await db.prisma.externalMapping.findFirstOrThrow({ where: { entityId: teamId } })).syncState,
    ).toBe('synced');
  });

  it('deleting the organization deletes its LiteLLM teams and keys', async () => {
    await t.gql(`mutation { deleteOrganization(id:"${orgId}") { status } }`, {}, { token: ownerKey });
    await drain();
    expect(litellm.teams.size).toBe(0);
    expect(litellm.keys.size).toBe(0);
    expect(await db.prisma.outboxMessage.count({ where: { status: { not: 'delivered' } } })).toBe(0);
  });
});

describe('LITELLM_SYNC_MODE=none', () => {
  it('syncs nothing and sends the master key upstream', async () => {
    const litellm = await new LiteLLMAdminDouble().start();
    const db = await openTestDatabase('postgres');
    const t = await startTestApp(db, {
      env: {
        LITELLM_URL: litellm.url,
        LITELLM_MASTER_KEY: litellm.masterKey,
        LITELLM_SYNC_MODE: 'none',
        TOLLGATE_ENCRYPTION_KEY: ENCRYPTION_KEY,
      },
    });
    try {
      const org = await t.gql(
        'mutation { createOrganization(input:{name:"Solo", slug:"solo", ownerEmail:"o@solo.test"}) { id } }',
      );
      const owner = await db.prisma.user.findFirstOrThrow({ where: { email: 'o@solo.test' } });
      const k = await t.gql(
        `mutation { createApiKey(input:{organizationId:"${org.data.createOrganization.id}", userId:"${owner.id}", name:"k", scopes:[INFERENCE]}) { apiKey { id syncState } } }`,
      );
      expect(k.data.createApiKey.apiKey.syncState).toBe('disabled');
      expect(await db.prisma.outboxMessage.count()).toBe(0);
      expect(await db.prisma.externalMapping.count()).toBe(0);
      await expect(t.app.services.litellm.credentialFor(raw(k.data.createApiKey.apiKey.id))).resolves.toBe(
        litellm.masterKey,
      );
      expect(litellm.calls).toEqual([]);
    } finally {
      await t.close();
      await db.close();
      await litellm.close();
    }
  });
});
