import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backstop, costNanos, startBackstop } from './backstop-fixture.ts';

const raw = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;

/**
 * LiteLLM as a backstop, end to end: Tollgate in front of the enforcing LiteLLM double, keys
 * mirrored, budgets pushed the way the gateway pushes them. Direct calls use the key's LiteLLM
 * secret, as someone who got hold of it would.
 */
describe('LiteLLM backstop', () => {
  let b: Backstop;
  let orgWalletId: string;
  let n = 0;
  const fund = async (walletId: string, nanos: bigint) => {
    await b.t.app.services.ledger.grant({
      walletId,
      amountNanos: nanos,
      idempotencyKey: `fund-${++n}`,
      description: 'test funds',
    });
  };
  /** The periodic safety net, as the timer runs it. */
  const periodicPush = async () => {
    await b.t.app.services.litellm.budgets.enqueueAll();
    await b.drain();
  };

  beforeAll(async () => {
    b = await startBackstop();
    orgWalletId = b.orgWalletId;
  });
  afterAll(() => b.close());

  it('a funded wallet is never refused by LiteLLM, whatever its lifetime spend', async () => {
    // Lifetime spend well past what is left, then a little money: LiteLLM must still serve the key.
    await fund(orgWalletId, costNanos(20) * 6n + 5_000n);
    await periodicPush();
    for (let i = 0; i < 6; i++) expect((await b.viaTollgate(b.tollgateKey, 20)).status).toBe(200);
    const w = await b.db.prisma.wallet.findUniqueOrThrow({ where: { id: orgWalletId } });
    expect(w.balanceNanos).toBe(5_000n);
    await periodicPush();
    const direct = await b.direct(b.litellmSecret, 1);
    expect(direct.body.error).toBeUndefined();
    expect(direct.status).toBe(200);
  });

  it('refuses a key calling LiteLLM directly once its wallet is spent, past it by at most one request', async () => {
    await fund(orgWalletId, costNanos(20) * 3n);
    await b.drain();
    const w = await b.db.prisma.wallet.findUniqueOrThrow({ where: { id: orgWalletId } });
    const room = w.balanceNanos;
    let spentNanos = 0n;
    let refused: { status: number; body: any } | null = null;
    for (let i = 0; i < 20 && !refused; i++) {
      const r = await b.direct(b.litellmSecret, 20);
      if (r.status === 200) spentNanos += costNanos(20);
      else refused = r;
    }
    expect(refused?.status).toBe(400);
    expect(refused?.body.error).toMatchObject({ type: 'budget_exceeded', code: '400' });
    expect(refused?.body.error.message).toMatch(/^Budget has been exceeded! Current cost: /);
    // LiteLLM checks before a request and adds its cost after: one request may cross the line.
    expect(spentNanos).toBeGreaterThanOrEqual(room);
    expect(spentNanos - room).toBeLessThan(costNanos(20));
  });

  it("binds a team-scoped key to its user's wallet (LiteLLM user budgets bind only keys without a team)", async () => {
    const team = await b.t.gql(
      `mutation { createTeam(input:{organizationId:"${b.organizationId}", name:"Research"}) { id } }`,
      {},
      { token: b.tollgateKey },
    );
    const teamId = raw(team.data.createTeam.id);
    await b.t.gql(
      `mutation { addTeamMember(input:{teamId:"${teamId}", userId:"${b.userId}"}) { id } }`,
      {},
      { token: b.tollgateKey },
    );
    const k = await b.t.gql(
      `mutation { createApiKey(input:{name:"team key", teamId:"${teamId}", scopes:[INFERENCE]}) { apiKey { id } } }`,
      {},
      { token: b.tollgateKey },
    );
    const userWallet = await b.t.app.services.ledger.ensureWallet({
      organizationId: b.organizationId,
      ownerType: 'user',
      ownerId: b.userId,
      currency: 'USD',
    });
    await fund(userWallet.id, costNanos(20) * 2n);
    await b.drain();
    await periodicPush();
    const secret = await b.secretOf(raw(k.data.createApiKey.apiKey.id));
    expect(b.litellm.keys.size).toBeGreaterThan(1);
    let served = 0;
    for (let i = 0; i < 10; i++) if ((await b.direct(secret, 20)).status === 200) served++;
    expect(served).toBe(2);
  });

  it('keys paid by one wallet share its room: the LiteLLM team all of whose keys it pays is capped too', async () => {
    const tenant = await b.newTenant();
    const second = await b.t.gql(
      'mutation { createApiKey(input:{name:"second", scopes:[INFERENCE]}) { apiKey { id } } }',
      {},
      { token: tenant.tollgateKey },
    );
    const secrets = [tenant.litellmSecret, await b.secretOf(raw(second.data.createApiKey.apiKey.id))];
    await fund(tenant.orgWalletId, costNanos(20) * 3n);
    await b.drain();
    // Each key alone could spend the whole room; the team cap stops them together.
    let served = 0;
    for (let i = 0; i < 10; i++) if ((await b.direct(secrets[i % 2]!, 20)).status === 200) served++;
    expect(served).toBeLessThanOrEqual(4); // 3 covered, plus at most the one that crosses the line
    const team = b.litellm.teams.get(tenant.organizationId)!;
    expect(team.max_budget).toBeCloseTo(0.000089999, 12);
    const refused = await b.direct(secrets[0]!, 1);
    expect(refused.body.error.type).toBe('budget_exceeded');
  });

  it('pushes on money movements without waiting for the timer: refund, freeze, unfreeze, top-up', async () => {
    const userWallet = await b.db.prisma.wallet.findFirstOrThrow({
      where: { ownerType: 'user', ownerId: b.userId, currency: 'USD' },
    });
    const ledger = b.t.app.services.ledger;
    await fund(userWallet.id, 1_000_000n);
    await b.drain();
    const before = b.roomUsd(b.litellmSecret);
    await ledger.adjust({
      walletId: userWallet.id,
      amountNanos: -400_000n,
      idempotencyKey: 'refund-1',
      description: 'refund',
    });
    const pending = await b.db.prisma.outboxMessage.count({
      where: { topic: 'litellm.budget.set', status: 'pending' },
    });
    expect(pending).toBe(1);
    await b.drain();
    expect(before - b.roomUsd(b.litellmSecret)).toBeCloseTo(0.0004, 12);
    // A dispute freezes everything left (direct calls above were never billed, so it is more than 600,000).
    const left = (await b.db.prisma.wallet.findUniqueOrThrow({ where: { id: userWallet.id } })).balanceNanos;
    const frozen = await ledger.freeze({
      walletId: userWallet.id,
      amountNanos: left,
      idempotencyKey: 'dispute-1',
    });
    await b.drain();
    expect((await b.direct(b.litellmSecret, 1)).status).toBe(400);
    await ledger.unfreeze({ holdId: frozen.holdId });
    await b.drain();
    expect((await b.direct(b.litellmSecret, 1)).status).toBe(200);
  });

  it('reports which way LiteLLM disagrees, and an operator resyncs from GraphQL', async () => {
    const r = await b.t.gql('{ litellmDrift { entityType entityId direction driftUsd driftNanos } }');
    expect(r.errors).toBeUndefined();
    // Direct calls were never billed by Tollgate: LiteLLM recorded more for the organization's team.
    const org = r.data.litellmDrift.find((d: any) => d.entityId === b.organizationId);
    expect(org).toMatchObject({ entityType: 'organization', direction: 'LITELLM_HIGHER' });
    expect(BigInt(org.driftNanos)).toBeGreaterThan(0n);
    expect(org.driftUsd).toMatch(/^0\.\d{9}$/);
    const metrics = await (await fetch(`${b.t.url}/metrics`)).text();
    // No tenant ids in labels unless METRICS_TENANT_LABELS: |drift| summed per entity type.
    expect(metrics).toMatch(/tollgate_litellm_spend_drift_usd\{entity_type="organization"\} 0\.0\d+/);
    expect(metrics).not.toContain(b.organizationId);

    // Someone changed the budget in LiteLLM's UI: the resync puts the backstop back.
    const row = [...b.litellm.keys.values()].find((k) => k.max_budget !== null)!;
    row.max_budget = 1000;
    const denied = await b.t.gql('mutation { resyncLiteLLMBudgets }', {}, { token: b.tollgateKey });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const res = await b.t.gql('mutation { resyncLiteLLMBudgets }');
    expect(res.errors).toBeUndefined();
    expect(res.data.resyncLiteLLMBudgets).toBe(
      await b.db.prisma.wallet.count({ where: { currency: 'USD' } }),
    );
    await b.drain();
    expect(row.max_budget).toBeLessThan(1000);
  });
});
