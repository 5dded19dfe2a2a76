import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueLagoTopUp, enqueueLagoUsage } from '../../../src/integrations/lago/handlers.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { LagoDouble } from '../../doubles/lago/server.ts';
import { createLagoApi } from '../../../src/integrations/lago/client.ts';
import { LAGO_WEBHOOK_TOPIC } from '../../../src/integrations/lago/webhooks.ts';
import { ensureLagoBillingSetup } from '../../../src/integrations/lago/setup.ts';
import { deliverAll, insertTopUp, insertUsage, seedWallet } from './fixtures.ts';

async function post(app: TestApp, body: string, headers: Record<string, string>) {
  const res = await fetch(`${app.url}/webhooks/lago`, { method: 'POST', body, headers });
  return { status: res.status, body: (await res.json()) as any };
}

describe('Lago in the gateway (postgres)', () => {
  let db: TestDatabase;
  let lago: LagoDouble;
  let app: TestApp;
  let jwtApp: TestApp;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    lago = new LagoDouble({ creditInvoiceDelayMs: 5 });
    await lago.start();
    const env = { LAGO_API_URL: lago.url, LAGO_API_KEY: lago.apiKey, LAGO_REQUEST_TIMEOUT_MS: '5000' };
    app = await startTestApp(db, {
      env: { ...env, LAGO_WEBHOOK_SIGNATURE: 'hmac', LAGO_WEBHOOK_HMAC_KEY: lago.hmacKey },
    });
    // No public key configured: the gateway fetches it from GET /webhooks/json_public_key.
    jwtApp = await startTestApp(db, { env: { ...env, LAGO_WEBHOOK_SIGNATURE: 'jwt' } });
  });
  afterAll(async () => {
    await jwtApp.close();
    await app.close();
    await lago.close();
    await db.close();
  });

  it('stores an HMAC-signed webhook and its job once per unique key, processes it in the worker, and stores nothing for a bad signature', async () => {
    const hook = lago.buildWebhook('invoice.payment_status_updated', 'invoice', { lago_id: 'inv_9' }, 'hmac');
    expect(await post(app, hook.body, hook.headers)).toMatchObject({
      status: 200,
      body: { received: true, duplicate: false },
    });
    expect(await post(app, hook.body, hook.headers)).toMatchObject({
      status: 200,
      body: { duplicate: true },
    });
    const stored = await db.prisma.providerEvent.findMany({
      where: { provider: 'lago', eventId: hook.headers['x-lago-unique-key'] },
    });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      type: 'invoice.payment_status_updated',
      payload: { invoice: { lago_id: 'inv_9' } },
      processedAt: null, // acknowledged, not yet processed
    });
    expect(Buffer.from(stored[0]!.rawBody!).toString('utf8')).toBe(hook.body);
    const jobs = () =>
      db.prisma.outboxMessage.findMany({
        where: { topic: LAGO_WEBHOOK_TOPIC, dedupeKey: `inbox:lago:${hook.headers['x-lago-unique-key']}` },
      });
    expect(await jobs()).toHaveLength(1); // the duplicate enqueued nothing
    await deliverAll(db.prisma, app.app.services.outbox);
    expect(await jobs()).toMatchObject([{ status: 'delivered' }]);
    const processed = await db.prisma.providerEvent.findUniqueOrThrow({ where: { id: stored[0]!.id } });
    expect(processed.processedAt).not.toBeNull();
    expect(processed.attempts).toBe(1);

    const before = [await db.prisma.providerEvent.count(), await db.prisma.outboxMessage.count()];
    const bad = await post(app, hook.body, {
      ...hook.headers,
      'x-lago-signature': 'AAAA',
      'x-lago-unique-key': 'k2',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_LAGO_SIGNATURE');
    expect([await db.prisma.providerEvent.count(), await db.prisma.outboxMessage.count()]).toEqual(before);
  });

  it('verifies JWT-signed webhooks with the public key fetched from Lago, and rejects forged ones', async () => {
    const hook = lago.buildWebhook(
      'wallet_transaction.updated',
      'wallet_transaction',
      { lago_id: 'wt_1' },
      'jwt',
    );
    expect((await post(jwtApp, hook.body, hook.headers)).status).toBe(200);
    const forger = new LagoDouble({ apiUrl: lago.url });
    const forged = forger.buildWebhook(
      'wallet_transaction.updated',
      'wallet_transaction',
      { lago_id: 'wt_2' },
      'jwt',
    );
    expect((await post(jwtApp, forged.body, forged.headers)).status).toBe(400);
  });

  it("receives the double's own webhooks at the registered endpoint", async () => {
    await fetch(`${lago.url}/api/v1/webhook_endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${lago.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        webhook_endpoint: { webhook_url: `${app.url}/webhooks/lago`, signature_algo: 'hmac' },
      }),
    });
    const config = app.app.services.config;
    await ensureLagoBillingSetup(
      { api: createLagoApi({ apiUrl: lago.url, apiKey: lago.apiKey, timeoutMs: 5000 }), config },
      ['EUR'],
    );
    const s = await seedWallet(db.prisma, 'EUR');
    const day = new Date('2026-11-20T00:00:00Z');
    const p = await insertTopUp(db.prisma, s, 1_000n, new Date(day.getTime() + 3_600_000));
    await enqueueLagoTopUp(db.prisma, {
      paymentId: p.id,
      owner: { ownerType: 'user', ownerId: s.userId, currency: 'EUR' },
    });
    for (let i = 0; i < 5; i++) {
      const u = await insertUsage(db.prisma, s, i, new Date(day.getTime() + (i + 2) * 3_600_000));
      await enqueueLagoUsage(db.prisma, u);
    }
    await deliverAll(db.prisma, app.app.services.outbox);
    await expect
      .poll(() =>
        db.prisma.providerEvent.count({ where: { provider: 'lago', type: 'invoice.paid_credit_added' } }),
      )
      .toBe(1);
    expect(lago.webhookDeliveries.every((d) => d.status === 200)).toBe(true);

    // Reconciliation through GraphQL (platform admin), then a usage event Lago never got.
    const query = `query($from: DateTime!, $to: DateTime!) { lagoReconciliation(from: $from, to: $to) {
      differenceCount rows { externalCustomerId day usageRecords usageConfirmed topUpsConfirmed costNanos differences { kind reference } } } }`;
    const vars = { from: day.toISOString(), to: new Date(day.getTime() + 86_400_000).toISOString() };
    const ok = await app.gql(query, vars);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.lagoReconciliation).toMatchObject({
      differenceCount: 0,
      rows: [
        {
          externalCustomerId: `user:${s.userId}:EUR`,
          day: '2026-11-20',
          usageRecords: 5,
          usageConfirmed: 5,
          topUpsConfirmed: 1,
        },
      ],
    });
    const missing = await insertUsage(db.prisma, s, 99, new Date(day.getTime() + 10 * 3_600_000));
    const diff = await app.gql(query, vars);
    expect(diff.data.lagoReconciliation.differenceCount).toBe(2);
    expect(diff.data.lagoReconciliation.rows[0].differences).toEqual([
      { kind: 'USAGE_NOT_DELIVERED', reference: missing.requestId },
      { kind: 'USAGE_MISSING_IN_LAGO', reference: missing.requestId },
    ]);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/tollgate_lago_reconciliation_differences\{kind="usage_missing_in_lago"\} 1/);
    expect((await app.gql(query, vars, { token: null })).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });
});
