import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enqueueLagoCustomer,
  enqueueLagoRefund,
  enqueueLagoTopUp,
} from '../../../src/integrations/lago/handlers.ts';
import { type Backend, type TestDatabase, backends, openTestDatabase } from '../../helpers/db.ts';
import { LagoDouble } from '../../doubles/lago/server.ts';
import { deliverAll, insertRefund, insertTopUp, lagoConfig, lagoWorker, seedWallet } from './fixtures.ts';

async function topUpAndRefund(db: TestDatabase, lago: LagoDouble, mode: string) {
  const config = lagoConfig(lago, { LAGO_PAYMENT_MODE: mode });
  const { outbox } = await lagoWorker(db.prisma, config);
  const s = await seedWallet(db.prisma, 'EUR');
  const payment = await insertTopUp(db.prisma, s, 2_500n, new Date());
  const refund = await insertRefund(db.prisma, payment.id, 1_000n, 'EUR', new Date());
  await db.prisma.$transaction(async (tx) => {
    await enqueueLagoTopUp(tx, { paymentId: payment.id });
    await enqueueLagoRefund(tx, { refundId: refund.id });
  });
  const ext = `user:${s.userId}:EUR`;
  const rows = await db.prisma.outboxMessage.findMany({
    where: { dedupeKey: { in: [`lago.topup:${payment.id}`, `lago.refund:${refund.id}`] } },
  });
  // The refund waits for its top-up: both carry the customer's ordering key.
  expect(rows.map((r) => r.orderingKey)).toEqual([`lago:${ext}`, `lago:${ext}`]);
  await deliverAll(db.prisma, outbox);
  return { payment, refund, ext, wallet: lago.listWallets(ext)[0] };
}

describe.each(backends())('Lago payment modes (%s)', (backend: Backend) => {
  let db: TestDatabase;
  let lago: LagoDouble;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
    lago = new LagoDouble({ creditInvoiceDelayMs: 5 });
    await lago.start();
  });
  afterAll(async () => {
    expect(lago.specViolations).toEqual([]);
    await lago.close();
    await db.close();
  });

  it('creates one Lago customer per owner and currency, with its subscription, wallet and stored mapping', async () => {
    const { outbox } = await lagoWorker(db.prisma, lagoConfig(lago), ['EUR', 'USD']);
    const owner = { ownerType: 'team', ownerId: 'team_1' };
    await enqueueLagoCustomer(db.prisma, {
      ...owner,
      currency: 'eur',
      name: 'Team One',
      email: 'one@example.com',
    });
    await enqueueLagoCustomer(db.prisma, { ...owner, currency: 'USD', name: 'Team One' });
    await enqueueLagoCustomer(db.prisma, { ...owner, currency: 'EUR', name: 'Team One (renamed)' });
    await deliverAll(db.prisma, outbox);
    expect(lago.customers.get('team:team_1:EUR')).toMatchObject({
      currency: 'EUR',
      name: 'Team One (renamed)',
      email: 'one@example.com',
    });
    expect(lago.customers.get('team:team_1:USD')).toMatchObject({ currency: 'USD' });
    expect(lago.subscriptions.get('team:team_1:EUR:usage')).toMatchObject({
      plan_code: 'tollgate_usage_eur',
    });
    expect(lago.listWallets('team:team_1:EUR')).toHaveLength(1);
    const mappings = await db.prisma.externalMapping.findMany({
      where: { system: 'lago', entityType: 'team', entityId: 'team_1' },
      orderBy: { scope: 'asc' },
    });
    expect(mappings.map((m) => [m.scope, m.externalId, m.syncState])).toEqual([
      ['EUR', 'team:team_1:EUR', 'synced'],
      ['USD', 'team:team_1:USD', 'synced'],
    ]);
    expect(mappings[0]!.data).toMatchObject({
      externalSubscriptionId: 'team:team_1:EUR:usage',
      walletId: lago.listWallets('team:team_1:EUR')[0].lago_id,
    });
  });

  it('invoice_status: pays the credit invoice with PUT payment_status and voids refunded credits', async () => {
    lago.premium = false;
    const { payment, ext, wallet } = await topUpAndRefund(db, lago, 'invoice_status');
    const invoice = lago.listInvoices().find((i) => i.external_customer_id === ext)!;
    expect(invoice).toMatchObject({
      payment_status: 'succeeded',
      total_amount_cents: 2_500,
      total_paid_amount_cents: 0,
    });
    const txs = lago.listWalletTransactions(wallet.lago_id);
    expect(txs.find((t) => t.transaction_status === 'purchased')).toMatchObject({
      status: 'settled',
      credit_amount: '25',
      metadata: expect.arrayContaining([
        { key: 'tollgate_payment_id', value: payment.id },
        { key: 'provider_payment_id', value: payment.providerTxnId },
      ]),
    });
    expect(txs.find((t) => t.transaction_status === 'voided')).toMatchObject({
      status: 'settled',
      credit_amount: '10',
    });
    expect(wallet.balance_cents).toBe(1_500);
    expect(lago.payments).toHaveLength(0);
  });

  it('manual_payment (premium): records a payment with the provider reference and refunds with a credit note', async () => {
    lago.premium = true;
    const { payment, ext, wallet } = await topUpAndRefund(db, lago, 'manual_payment');
    const invoice = lago.listInvoices().find((i) => i.external_customer_id === ext)!;
    expect(invoice).toMatchObject({ payment_status: 'succeeded', total_paid_amount_cents: 2_500 });
    expect(lago.payments.filter((p) => p.invoice_ids.includes(invoice.lago_id))).toEqual([
      expect.objectContaining({ reference: payment.providerTxnId, amount_cents: 2_500 }),
    ]);
    const notes = lago.creditNotes.filter((c) => c.lago_invoice_id === invoice.lago_id);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ refund_amount_cents: 1_000 });
    expect(wallet.balance_cents).toBe(1_500);
  });

  it('manual_payment without premium: the top-up is dead-lettered with the 403 reason, not retried forever', async () => {
    lago.premium = false;
    const { wallet } = await topUpAndRefund(db, lago, 'manual_payment');
    const dead = await db.prisma.outboxMessage.findMany({ where: { topic: 'lago.topup', status: 'dead' } });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.lastError).toMatch(/premium/);
    expect(wallet.balance_cents).toBe(0);
    await db.prisma.outboxMessage.deleteMany({ where: { status: 'dead' } });
  });

  it('granted_credits: grants the credits at once without an invoice and voids refunds', async () => {
    lago.premium = false;
    const before = lago.listInvoices().length;
    const { wallet } = await topUpAndRefund(db, lago, 'granted_credits');
    const txs = lago.listWalletTransactions(wallet.lago_id);
    expect(txs.map((t) => t.transaction_status).sort()).toEqual(['granted', 'voided']);
    expect(lago.listInvoices()).toHaveLength(before);
    expect(wallet.balance_cents).toBe(1_500);
  });
});
