import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LagoDouble } from '../../../doubles/lago/server.ts';

let lago: LagoDouble;
let base: string;
const KEY = 'lago-test-api-key';

async function call(method: string, path: string, body?: unknown, key: string | null = KEY) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function setUpCustomer(ext = 'user:u1:EUR', currency = 'EUR') {
  await call('POST', '/billable_metrics', {
    billable_metric: {
      name: 'LLM',
      code: 'llm',
      aggregation_type: 'sum_agg',
      field_name: 'total_tokens',
      recurring: false,
    },
  }).catch(() => undefined);
  const metric = lago.billableMetrics.get('llm');
  if (!lago.plans.has(`plan_${currency}`))
    await call('POST', '/plans', {
      plan: {
        name: 'p',
        code: `plan_${currency}`,
        interval: 'monthly',
        amount_cents: 0,
        amount_currency: currency,
        pay_in_advance: false,
        charges: [{ billable_metric_id: metric.lago_id, charge_model: 'dynamic', properties: {} }],
      },
    });
  await call('POST', '/customers', { customer: { external_id: ext, currency } });
  await call('POST', '/subscriptions', {
    subscription: { external_customer_id: ext, plan_code: `plan_${currency}`, external_id: `${ext}:sub` },
  });
  const w = await call('POST', '/wallets', {
    wallet: { external_customer_id: ext, rate_amount: '1', currency, code: 'main' },
  });
  return w.body.wallet.lago_id as string;
}

const event = (tx: string, sub = 'user:u1:EUR:sub') => ({
  transaction_id: tx,
  external_subscription_id: sub,
  code: 'llm',
  timestamp: 1_700_000_000,
  properties: { total_tokens: '10' },
});

describe('Lago double', () => {
  beforeEach(async () => {
    lago = new LagoDouble({ apiKey: KEY, creditInvoiceDelayMs: 'manual' });
    base = `${await lago.start()}/api/v1`;
  });
  afterEach(async () => {
    expect(lago.specViolations).toEqual([]);
    await lago.close();
  });

  it('answers 401 Unauthorized without the bearer key', async () => {
    expect(await call('GET', '/wallets?external_customer_id=x', undefined, null)).toEqual({
      status: 401,
      body: { status: 401, error: 'Unauthorized' },
    });
    expect((await call('GET', '/wallets?external_customer_id=x', undefined, 'wrong')).status).toBe(401);
  });

  it('answers 400 BadRequest when the root key is missing and 422 when the body breaks the spec', async () => {
    const r = await call('POST', '/events', { transaction_id: 'a' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^BadRequest: param is missing/);
    const bad = await call('POST', '/wallet_transactions', {
      wallet_transaction: { wallet_id: 'not-a-uuid' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ status: 422, error: 'Unprocessable Entity', code: 'validation_errors' });
  });

  it('upserts customers by external_id and keeps one currency per customer', async () => {
    const a = await call('POST', '/customers', { customer: { external_id: 'c1', name: 'A' } });
    const b = await call('POST', '/customers', { customer: { external_id: 'c1', email: 'a@example.com' } });
    expect(b.body.customer.lago_id).toBe(a.body.customer.lago_id);
    expect(b.body.customer).toMatchObject({ name: 'A', email: 'a@example.com' });
    await setUpCustomer('c2', 'EUR');
    const usd = await call('POST', '/wallets', {
      wallet: { external_customer_id: 'c2', rate_amount: '1', currency: 'USD', code: 'usd' },
    });
    expect(usd.status).toBe(422);
    expect(usd.body.error_details).toEqual({ currency: ['currencies_does_not_match'] });
  });

  it('answers 404 with a resource code', async () => {
    expect(await call('GET', '/wallets/00000000-0000-4000-8000-000000000000')).toEqual({
      status: 404,
      body: { status: 404, error: 'Not Found', code: 'wallet_not_found' },
    });
  });

  it('returns the existing subscription for the same external_id and plan, and refuses a 7th wallet and a repeated code', async () => {
    await setUpCustomer();
    const again = await call('POST', '/subscriptions', {
      subscription: {
        external_customer_id: 'user:u1:EUR',
        plan_code: 'plan_EUR',
        external_id: 'user:u1:EUR:sub',
      },
    });
    expect(again.status).toBe(200);
    expect(lago.subscriptions.size).toBe(1);
    const dup = await call('POST', '/wallets', {
      wallet: { external_customer_id: 'user:u1:EUR', rate_amount: '1', currency: 'EUR', code: 'main' },
    });
    expect(dup.body.error_details).toEqual({ code: ['value_already_exist'] });
    for (let i = 2; i <= 6; i++)
      expect(
        (
          await call('POST', '/wallets', {
            wallet: { external_customer_id: 'user:u1:EUR', rate_amount: '1', currency: 'EUR', code: `w${i}` },
          })
        ).status,
      ).toBe(200);
    const seventh = await call('POST', '/wallets', {
      wallet: { external_customer_id: 'user:u1:EUR', rate_amount: '1', currency: 'EUR', code: 'w7' },
    });
    expect(seventh.status).toBe(422);
  });

  it('rejects a repeated (subscription, transaction_id) event with value_already_exist and finds events by transaction id', async () => {
    await setUpCustomer();
    expect((await call('POST', '/events', { event: event('t1') })).status).toBe(200);
    const again = await call('POST', '/events', { event: event('t1') });
    expect(again).toEqual({
      status: 422,
      body: {
        status: 422,
        error: 'Unprocessable Entity',
        code: 'validation_errors',
        error_details: { transaction_id: ['value_already_exist'] },
      },
    });
    const found = await call('GET', '/events/t1');
    expect(found.body.event).toMatchObject({
      transaction_id: 't1',
      external_subscription_id: 'user:u1:EUR:sub',
    });
  });

  it('rolls back a whole batch when one event is a duplicate and reports it by index', async () => {
    await setUpCustomer();
    await call('POST', '/events', { event: event('t3') });
    const r = await call('POST', '/events/batch', { events: [event('t1'), event('t2'), event('t3')] });
    expect(r.status).toBe(422);
    expect(r.body.error_details).toEqual({ '2': { transaction_id: ['value_already_exist'] } });
    expect(lago.listEvents().map((e) => e.transaction_id)).toEqual(['t3']);
    const tooMany = await call('POST', '/events/batch', {
      events: Array.from({ length: 101 }, (_, i) => event(`m${i}`)),
    });
    expect(tooMany.body.error_details).toEqual({ events: ['too_many_events'] });
    expect((await call('POST', '/events/batch', { events: [event('t1'), event('t2')] })).status).toBe(200);
    expect(lago.listEvents()).toHaveLength(3);
  });

  it('settles paid credits only when their asynchronous credit invoice is paid', async () => {
    const walletId = await setUpCustomer();
    const r = await call('POST', '/wallet_transactions', {
      wallet_transaction: { wallet_id: walletId, paid_credits: '12.5', metadata: [{ key: 'k', value: 'v' }] },
    });
    expect(r.body.wallet_transactions[0]).toMatchObject({
      status: 'pending',
      transaction_status: 'purchased',
      lago_invoice_id: null,
    });
    expect((await call('GET', `/wallets/${walletId}`)).body.wallet.balance_cents).toBe(0);
    lago.tick();
    const invoices = await call('GET', '/invoices?external_customer_id=user:u1:EUR&invoice_type=credit');
    expect(invoices.body.invoices).toHaveLength(1);
    const invoice = invoices.body.invoices[0];
    expect(invoice).toMatchObject({
      invoice_type: 'credit',
      payment_status: 'pending',
      total_amount_cents: 1250,
    });
    await call('PUT', `/invoices/${invoice.lago_id}`, { invoice: { payment_status: 'succeeded' } });
    const wallet = (await call('GET', `/wallets/${walletId}`)).body.wallet;
    expect(wallet).toMatchObject({ balance_cents: 1250, credits_balance: '12.5' });
    const txs = await call('GET', `/wallets/${walletId}/wallet_transactions`);
    expect(txs.body.wallet_transactions[0]).toMatchObject({
      status: 'settled',
      lago_invoice_id: invoice.lago_id,
    });
  });

  it('settles granted credits at once and refuses to void more than the balance', async () => {
    const walletId = await setUpCustomer();
    await call('POST', '/wallet_transactions', {
      wallet_transaction: { wallet_id: walletId, granted_credits: '5' },
    });
    expect((await call('GET', `/wallets/${walletId}`)).body.wallet.balance_cents).toBe(500);
    const tooMuch = await call('POST', '/wallet_transactions', {
      wallet_transaction: { wallet_id: walletId, voided_credits: '5.00001' },
    });
    expect(tooMuch.body.error_details).toEqual({ voided_credits: ['insufficient_credits'] });
    await call('POST', '/wallet_transactions', {
      wallet_transaction: { wallet_id: walletId, voided_credits: '2' },
    });
    expect((await call('GET', `/wallets/${walletId}`)).body.wallet.balance_cents).toBe(300);
  });

  it('answers 403 feature_unavailable to payments and credit notes without premium, and records them with it', async () => {
    const walletId = await setUpCustomer();
    await call('POST', '/wallet_transactions', {
      wallet_transaction: { wallet_id: walletId, paid_credits: '10' },
    });
    lago.tick();
    const invoice = lago.listInvoices()[0]!;
    const pay = { payment: { invoice_id: invoice.lago_id, amount_cents: 1000, reference: 'pi_1' } };
    expect(await call('POST', '/payments', pay)).toEqual({
      status: 403,
      body: { status: 403, error: 'Forbidden', code: 'feature_unavailable' },
    });
    const note = {
      credit_note: {
        invoice_id: invoice.lago_id,
        items: [{ fee_id: invoice.fee_id, amount_cents: 400 }],
        refund_amount_cents: 400,
      },
    };
    expect((await call('POST', '/credit_notes', note)).status).toBe(403);
    lago.premium = true;
    expect((await call('POST', '/payments', pay)).status).toBe(200);
    expect((await call('GET', `/wallets/${walletId}`)).body.wallet.balance_cents).toBe(1000);
    expect((await call('POST', '/credit_notes', note)).status).toBe(200);
    expect((await call('GET', `/wallets/${walletId}`)).body.wallet.balance_cents).toBe(600);
  });

  it('signs outgoing webhooks and sends the unique key and algorithm headers', async () => {
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const sink = http.createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      received.push({ headers: req.headers, body });
      res.end('ok');
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
      await call('POST', '/webhook_endpoints', {
        webhook_endpoint: { webhook_url: url, signature_algo: 'hmac' },
      });
      const walletId = await setUpCustomer();
      await call('POST', '/wallet_transactions', {
        wallet_transaction: { wallet_id: walletId, granted_credits: '1' },
      });
      await expect.poll(() => received.length).toBeGreaterThan(0);
      const first = received[0]!;
      expect(first.headers['x-lago-signature-algorithm']).toBe('hmac');
      expect(first.headers['x-lago-unique-key']).toMatch(/^[0-9a-f-]{36}$/);
      expect(first.headers['x-lago-signature']).toBe(lago.signWebhook(first.body, 'hmac'));
      expect(JSON.parse(first.body)).toMatchObject({
        webhook_type: 'wallet_transaction.created',
        object_type: 'wallet_transaction',
      });
    } finally {
      await new Promise<void>((r) => sink.close(() => r()));
    }
  });

  it('fails injected calls after the write took effect', async () => {
    await setUpCustomer();
    lago.failures = { rate: 1, afterEffectShare: 1, hangMs: 50 };
    const res = await fetch(`${base}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ event: event('after') }),
    }).then(
      (r) => r.status,
      () => 'reset',
    );
    expect(res).not.toBe(200);
    lago.failures = { rate: 0 };
    expect(lago.listEvents().map((e) => e.transaction_id)).toEqual(['after']);
    lago.down = true;
    await expect(
      fetch(`${base}/events/after`, { headers: { authorization: `Bearer ${KEY}` } }),
    ).rejects.toThrow();
  });
});
