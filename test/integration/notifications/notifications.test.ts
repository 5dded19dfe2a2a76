import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationChannel, notificationPubSub } from '../../../src/notifications/service.ts';
import type { NotificationEvent } from '../../../src/notifications/types.ts';
import { backends, openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import { SmtpDouble } from '../../doubles/smtp/server.ts';
import { WebhookReceiver } from '../../doubles/webhook-receiver/server.ts';
import { riskHarness, seedAccount } from '../risk/harness.ts';

const USD = 1_000_000_000n;

const until = async (cond: () => Promise<boolean> | boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met in time');
};

const balanceLow = (organizationId: string, n: number) => ({
  type: 'balance_low' as const,
  organizationId,
  dedupeKey: `test:${organizationId}:${n}`,
  payload: { walletId: 'wal_x', currency: 'USD', balanceNanos: String(n), thresholdNanos: '100' },
});

describe.each(backends())('notifications on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => db.close());

  it('fires balance_low once per crossing: many settles below → one; back above and below again → a second', async () => {
    const h = riskHarness(db.prisma);
    const a = await seedAccount(db.prisma);
    await h.risk.settings.put('organization', a.org.id, {
      notifications: { balanceLowThresholdsNanos: { USD: [(5n * USD).toString()] } },
    });
    const check = (balance: bigint) => h.notifications.checkBalanceThreshold(a.wallet.id, balance);
    const raised: number[] = [];
    for (const b of [10n, 6n, 4n, 3n, 2n, 1n]) raised.push(await check(b * USD));
    raised.push(...(await Promise.all([check(USD), check(USD / 2n), check(0n)])));
    expect(raised.reduce((x, y) => x + y)).toBe(1);
    raised.length = 0;
    for (const b of [6n, 7n, 5n]) raised.push(await check(b * USD));
    expect(raised.reduce((x, y) => x + y)).toBe(0);
    expect(await check(4n * USD)).toBe(1);
    expect(await check(3n * USD)).toBe(0);

    const notes = await db.prisma.notification.findMany({
      where: { organizationId: a.org.id, type: 'balance_low' },
      orderBy: { createdAt: 'asc' },
    });
    expect(notes.map((n) => n.dedupeKey)).toEqual([
      `balance_low:${a.wallet.id}:${5n * USD}:0`,
      `balance_low:${a.wallet.id}:${5n * USD}:1`,
    ]);
    expect(notes[0]!.payload).toEqual({
      walletId: a.wallet.id,
      currency: 'USD',
      balanceNanos: (4n * USD).toString(),
      thresholdNanos: (5n * USD).toString(),
    });

    // Shared state lost (Redis flushed): rebuilt from the notifications table, no repeat.
    await h.state.del(`balance-low:${a.wallet.id}:${5n * USD}`);
    expect(await check(2n * USD)).toBe(0);
    expect(await check(9n * USD)).toBe(0);
    expect(await check(2n * USD)).toBe(1);
  });

  it('uses a wallet-specific threshold over the currency default', async () => {
    const h = riskHarness(db.prisma);
    const a = await seedAccount(db.prisma);
    await h.risk.settings.put('organization', a.org.id, {
      notifications: {
        balanceLowThresholdsNanos: { USD: [(5n * USD).toString()] },
        walletBalanceLowThresholdsNanos: { [a.wallet.id]: [(50n * USD).toString()] },
      },
    });
    expect(await h.notifications.checkBalanceThreshold(a.wallet.id, 10n * USD)).toBe(1);
  });

  it('notifies once per dedupe key, and not at all from a rolled-back transaction', async () => {
    const h = riskHarness(db.prisma);
    const a = await seedAccount(db.prisma);
    const first = await h.notifications.notify(db.prisma, balanceLow(a.org.id, 1));
    const again = await h.notifications.notify(db.prisma, balanceLow(a.org.id, 1));
    expect(first.created).toBe(true);
    expect(again).toEqual({ created: false, id: null });
    await db.prisma
      .$transaction(async (tx) => {
        await h.notifications.notify(tx, balanceLow(a.org.id, 2));
        throw new Error('roll back');
      })
      .catch(() => {});
    expect(await db.prisma.notification.count({ where: { organizationId: a.org.id } })).toBe(1);
    const publishes = await db.prisma.outboxMessage.count({
      where: { topic: 'notification.publish', dedupeKey: `publish:${first.id}` },
    });
    expect(publishes).toBe(1);
  });

  it('delivers every notification exactly once to a webhook that fails, times out and recovers, signed', async () => {
    const receiver = new WebhookReceiver();
    const url = await receiver.start();
    const h = riskHarness(db.prisma, { env: { WEBHOOK_TIMEOUT_MS: '300' } });
    const a = await seedAccount(db.prisma);
    const { endpoint, secret } = await h.webhooks.create({ organizationId: a.org.id, url, eventTypes: [] });
    expect(secret).toMatch(/^whsec_/);
    const stored = await db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(stored.secretEncrypted).not.toContain(secret);
    receiver.secrets = [secret];

    const ids: string[] = [];
    for (const n of [1, 2, 3])
      ids.push((await h.notifications.notify(db.prisma, balanceLow(a.org.id, n))).id!);
    // An endpoint that does not subscribe to this type gets nothing.
    await h.webhooks.create({ organizationId: a.org.id, url, eventTypes: ['payment_failed'] });

    const attemptsOf = () => receiver.attempts.length;
    receiver.mode = 'fail';
    await until(async () => {
      await h.outbox.runOnce();
      return attemptsOf() >= 2;
    });
    receiver.mode = 'hang';
    const before = attemptsOf();
    await until(async () => {
      await h.outbox.runOnce();
      return attemptsOf() >= before + 1;
    });
    receiver.mode = 'ok';
    await until(async () => {
      await h.outbox.runOnce();
      return receiver.processed.length === 3;
    });
    await h.outbox.drain();

    expect(receiver.processed.map((e) => e.eventId)).toEqual(ids);
    expect(receiver.attempts.every((x) => x.signatureValid)).toBe(true);
    expect(receiver.attempts.filter((x) => x.mode === 'fail').length).toBeGreaterThanOrEqual(2);
    expect(receiver.attempts.some((x) => x.mode === 'hang')).toBe(true);
    expect(receiver.processed[0]!).toMatchObject({
      eventType: 'balance_low',
      body: { id: ids[0], type: 'balance_low', organizationId: a.org.id, data: { balanceNanos: '1' } },
    });
    const deliveries = await db.prisma.outboxMessage.findMany({
      where: { topic: 'notification.webhook', orderingKey: `webhook:${endpoint.id}` },
      orderBy: { id: 'asc' },
    });
    expect(deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(deliveries[0]!.attempts).toBeGreaterThanOrEqual(4);
    await receiver.close();
  });

  it('signs with the old and the new secret during a rotation grace period, then only the new', async () => {
    const receiver = new WebhookReceiver();
    const url = await receiver.start();
    const h = riskHarness(db.prisma);
    const a = await seedAccount(db.prisma);
    const { endpoint, secret: oldSecret } = await h.webhooks.create({
      organizationId: a.org.id,
      url,
      eventTypes: [],
    });
    const rotated = await h.webhooks.rotateSecret(endpoint.id, 3600);
    expect(rotated.secret).not.toBe(oldSecret);
    const active = h.webhooks.activeSecrets(rotated.endpoint.secretEncrypted);
    expect(active).toEqual([rotated.secret, oldSecret]);

    receiver.secrets = [oldSecret];
    await h.notifications.notify(db.prisma, balanceLow(a.org.id, 10));
    await h.outbox.drain();
    expect(receiver.processed).toHaveLength(1);

    h.clock.nowMs += 3601_000;
    expect(h.webhooks.activeSecrets(rotated.endpoint.secretEncrypted)).toEqual([rotated.secret]);
    await receiver.close();
  });

  it('dead-letters deliveries for a deleted endpoint', async () => {
    const h = riskHarness(db.prisma);
    const a = await seedAccount(db.prisma);
    const { endpoint } = await h.webhooks.create({
      organizationId: a.org.id,
      url: 'http://127.0.0.1:9/x',
      eventTypes: [],
    });
    await h.notifications.notify(db.prisma, balanceLow(a.org.id, 20));
    await h.webhooks.delete(endpoint.id);
    await h.outbox.drain();
    const [row] = await db.prisma.outboxMessage.findMany({
      where: { orderingKey: `webhook:${endpoint.id}` },
    });
    expect(row).toMatchObject({ status: 'dead', lastError: 'webhook endpoint deleted' });
  });

  it('refuses endpoints on loopback and private addresses, at registration and before delivery', async () => {
    const strict = riskHarness(db.prisma, { env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' } });
    const a = await seedAccount(db.prisma);
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://[::1]/x',
      'https://10.1.2.3/x',
      'http://localhost/x',
      'http://169.254.169.254/',
    ])
      await expect(
        strict.webhooks.create({ organizationId: a.org.id, url, eventTypes: [] }),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    await expect(
      strict.webhooks.create({
        organizationId: a.org.id,
        url: 'https://hooks.example.com/tollgate',
        eventTypes: [],
      }),
    ).resolves.toBeDefined();

    // Registered while allowed (or a name that resolves to a private address): refused at delivery.
    const lax = riskHarness(db.prisma);
    const { endpoint } = await lax.webhooks.create({
      organizationId: a.org.id,
      url: 'http://localhost:9/x',
      eventTypes: [],
    });
    await db.prisma.webhookEndpoint.deleteMany({
      where: { organizationId: a.org.id, id: { not: endpoint.id } },
    });
    await strict.notifications.notify(db.prisma, balanceLow(a.org.id, 50));
    await strict.outbox.drain();
    const [row] = await db.prisma.outboxMessage.findMany({
      where: { orderingKey: `webhook:${endpoint.id}` },
    });
    expect(row).toMatchObject({
      status: 'dead',
      lastError: 'webhook endpoint resolves to a private address',
    });
  });

  it('sends email through SMTP to the organization recipients', async () => {
    const smtp = new SmtpDouble();
    const smtpUrl = await smtp.start();
    const h = riskHarness(db.prisma, {
      env: { SMTP_URL: smtpUrl, SMTP_FROM: 'Tollgate <alerts@tollgate.test>' },
    });
    const a = await seedAccount(db.prisma);
    await h.risk.settings.put('organization', a.org.id, {
      notifications: {
        emailRecipients: ['ops@example.com', 'cfo@example.com'],
        emailEventTypes: ['balance_low'],
      },
    });
    const { id } = await h.notifications.notify(db.prisma, balanceLow(a.org.id, 30));
    await h.notifications.notify(db.prisma, {
      type: 'refund_succeeded',
      organizationId: a.org.id,
      dedupeKey: `test:refund:${a.org.id}`,
      payload: { refundId: 're_1', paymentId: 'pay_1', currency: 'USD', amountMinor: '100' },
    });
    await h.outbox.drain();
    await until(() => smtp.messages.length >= 1);
    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(mail!.from).toBe('alerts@tollgate.test');
    expect(mail!.to.sort()).toEqual(['cfo@example.com', 'ops@example.com']);
    expect(mail!.raw).toContain('Subject: [Tollgate] Wallet balance is low');
    expect(mail!.raw.toLowerCase()).toContain(`x-tollgate-event-id: ${id}`.toLowerCase());
    await smtp.close();
  });

  it('publishes to GraphQL subscribers of the organization after commit', async () => {
    const h = riskHarness(db.prisma);
    const a = await seedAccount(db.prisma);
    const iterator = notificationPubSub(h.pubsub)
      .subscribe(notificationChannel(a.org.id))
      [Symbol.asyncIterator]();
    const next = iterator.next();
    await new Promise((r) => setTimeout(r, 10));
    const { id } = await h.notifications.notify(db.prisma, balanceLow(a.org.id, 40));
    await h.outbox.drain();
    const { value } = (await next) as { value: NotificationEvent };
    expect(value).toMatchObject({ id, type: 'balance_low', organizationId: a.org.id });
    await iterator.return?.();
  });

  it('notifies key_expiring once per key within the notice period', async () => {
    const h = riskHarness(db.prisma);
    const a = await seedAccount(db.prisma);
    const soon = new Date(h.clock.nowMs + 3 * 86_400_000);
    await db.prisma.apiKey.update({ where: { id: a.key.id }, data: { expiresAt: soon } });
    const later = await seedAccount(db.prisma);
    await db.prisma.apiKey.update({
      where: { id: later.key.id },
      data: { expiresAt: new Date(h.clock.nowMs + 20 * 86_400_000) },
    });
    await h.notifications.sweepExpiringKeys();
    await h.notifications.sweepExpiringKeys();
    const notes = await db.prisma.notification.findMany({
      where: { type: 'key_expiring', organizationId: { in: [a.org.id, later.org.id] } },
    });
    expect(notes).toHaveLength(1);
    expect(notes[0]!.payload).toMatchObject({ apiKeyId: a.key.id, expiresAt: soon.toISOString() });
  });
});
