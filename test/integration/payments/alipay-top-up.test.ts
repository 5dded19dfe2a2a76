import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLagoApi } from '../../../src/integrations/lago/client.ts';
import { ensureLagoBillingSetup } from '../../../src/integrations/lago/setup.ts';
import { clientSecretDigest } from '../../../src/payments/client-secret.ts';
import { bootstrap } from '../../../src/resolvers/identity/bootstrap.ts';
import { AlipayDouble } from '../../doubles/alipay/server.ts';
import { LagoDouble } from '../../doubles/lago/server.ts';
import { LiteLLMAdminDouble } from '../../doubles/litellm-admin/index.ts';
import { formBody, generateRsaKeyPair, signNotification } from '../../doubles/alipay/signing.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { dbId } from './stripe-gateway.ts';

/**
 * A CNY top-up through the gateway with the direct Alipay provider, against the Alipay double:
 * createTopUp → QR code → the buyer pays → Alipay's notification reaches /webhooks/alipay, is
 * answered `success`, stored and applied once → wallet credited; forged notifications credit nothing.
 */

const APP_ID = '2021000000000077';
const CREATE_TOP_UP = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  orderId walletId payment { id status providerTxnId amount { amount currency unit } } } }`;
const REFUND = `mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  id status amount { amount currency unit } } }`;
/** 1 fen in wallet nano-units. */
const FEN = 10_000_000n;

let db: TestDatabase;
let double: AlipayDouble;
let lago: LagoDouble;
let litellm: LiteLLMAdminDouble;
let t: TestApp;
let key: string;

const settle = async () => {
  for (;;) {
    await double.notifier.flush();
    if ((await t.app.services.outbox.drain()) === 0) return;
  }
};

const topUp = async (amount: string, idempotencyKey: string) => {
  const res = await t.gql(
    CREATE_TOP_UP,
    { input: { currency: 'CNY', amount, idempotencyKey, provider: 'alipay' } },
    { token: key },
  );
  expect(res.errors).toBeUndefined();
  const top = res.data.createTopUp;
  return { ...top, paymentDbId: dbId(top.payment.id) } as {
    orderId: string;
    walletId: string;
    paymentDbId: string;
    payment: { id: string; providerTxnId: string; status: string };
  };
};

const balance = async (walletId: string) =>
  (await t.app.services.db.wallet.findUniqueOrThrow({ where: { id: walletId } })).balanceNanos;
const paymentRow = (id: string) => t.app.services.db.payment.findUniqueOrThrow({ where: { id } });

const post = (body: string) =>
  fetch(`${t.url}/webhooks/alipay`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });

beforeAll(async () => {
  const appKeys = generateRsaKeyPair();
  db = await openTestDatabase('postgres');
  lago = new LagoDouble();
  await lago.start();
  litellm = await new LiteLLMAdminDouble().start();
  double = await AlipayDouble.start({
    appId: APP_ID,
    appPublicKeyPem: appKeys.publicKeyPem,
    notifyRetryDelaysMs: [10, 20, 40],
  });
  t = await startTestApp(db, {
    env: {
      PAYMENT_PROVIDERS: 'alipay',
      TOP_UP_PROVIDERS: 'CNY=alipay',
      DEFAULT_CURRENCY: 'CNY',
      ALIPAY_APP_ID: APP_ID,
      ALIPAY_APP_PRIVATE_KEY: appKeys.privateKeyPem,
      ALIPAY_PUBLIC_KEY: double.keys.publicKeyPem,
      ALIPAY_GATEWAY_URL: double.gatewayUrl,
      ALIPAY_NOTIFY_URL: 'https://tollgate.test/webhooks/alipay',
      ALIPAY_SELLER_ID: double.sellerId,
      PAYMENT_RETURN_URL: 'http://127.0.0.1/pay/return',
      PUBLIC_BASE_URL: 'http://tollgate.test',
      // Lago and LiteLLM are told of top-ups and refunds through the outbox, as with Stripe.
      LAGO_API_URL: lago.url,
      LAGO_API_KEY: lago.apiKey,
      LAGO_WEBHOOK_HMAC_KEY: lago.hmacKey,
      LITELLM_URL: litellm.url,
      LITELLM_MASTER_KEY: litellm.masterKey,
      TOLLGATE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LITELLM_BUDGET_SYNC_INTERVAL_MS: '0',
      LITELLM_BUDGET_PUSH_COALESCE_MS: '0',
      OUTBOX_BACKOFF_BASE_MS: '1',
      OUTBOX_BACKOFF_MAX_MS: '5',
    },
  });
  double.notifyUrlOverride = `${t.url}/webhooks/alipay`;
  // The operator's one-time Lago set-up (docs/billing_and_lago.md): the plan for CNY customers.
  const lagoApi = createLagoApi({ apiUrl: lago.url, apiKey: lago.apiKey, timeoutMs: 10_000 });
  await ensureLagoBillingSetup({ api: lagoApi, config: t.app.services.config }, ['CNY']);
  key = (await bootstrap(t.app.services, { org: 'Alipay Shop', email: 'owner@alipay-shop.test' })).apiKey;
});
afterAll(async () => {
  await t?.close();
  await double?.close();
  await lago?.close();
  await litellm?.close();
  await db?.close();
});

const CREATE_TOP_UP_PRESENTED = `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) {
  orderId qrCode redirectUrl paymentPageUrl clientSecret idempotencyHit payment { id } } }`;
const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';

describe('Alipay top-up: what the buyer needs', () => {
  const present = (idempotencyKey: string, presentation?: string, headers?: Record<string, string>) =>
    t.gql(
      CREATE_TOP_UP_PRESENTED,
      { input: { currency: 'CNY', amount: '800', idempotencyKey, provider: 'alipay', presentation } },
      { token: key, ...(headers ? { headers } : {}) },
    );

  it('returns the QR code to scan and the hosted page link, and the QR code again on a replay', async () => {
    const res = await present('alipay-qr-1', 'QR_CODE');
    expect(res.errors).toBeUndefined();
    const top = res.data.createTopUp;
    expect(top.qrCode).toBe(double.trades.get(top.orderId)?.qrCode);
    expect(top.qrCode).toMatch(/^https:\/\/qr\.alipay\.com\//);
    expect(top.redirectUrl).toBeNull();
    expect(top.clientSecret).toBeNull();
    expect(top.paymentPageUrl).toMatch(/^http:\/\/tollgate\.test\/pay\/[^#]+#ps_/);
    const again = (await present('alipay-qr-1', 'QR_CODE')).data.createTopUp;
    expect(again).toMatchObject({ idempotencyHit: true, orderId: top.orderId, qrCode: top.qrCode });

    // The page reads the QR code from the status route, with the page secret only.
    const page = new URL(top.paymentPageUrl);
    const statusOf = (secret?: string) =>
      fetch(`${t.url}${page.pathname}/status`, { headers: secret ? { 'x-client-secret': secret } : {} });
    expect((await statusOf()).status).toBe(404);
    expect((await statusOf('ps_wrong')).status).toBe(404);
    const status = await (await statusOf(decodeURIComponent(page.hash.slice(1)))).json();
    expect(status.checkout).toMatchObject({ qrCode: top.qrCode, redirectUrl: null });
    expect(status.checkout.qrSvg).toMatch(/^<svg [^>]*>.*<\/svg>\s*$/s);
    expect(status.checkout.qrSvg).not.toMatch(/<script|href=|on\w+=/i);
    // Like Stripe's client secret, the page secret is stored only as its digest.
    const pageSecret = decodeURIComponent(page.hash.slice(1));
    const row = await paymentRow(dbId(top.payment.id));
    expect(JSON.stringify(row.metadata)).not.toContain(pageSecret);
    expect(row.metadata).toMatchObject({ clientSecretSha256: clientSecretDigest(pageSecret) });

    // Once paid there is nothing left to scan: the status no longer hands out the code.
    double.buyerPays(top.orderId);
    await settle();
    const paid = await (await statusOf(decodeURIComponent(page.hash.slice(1)))).json();
    expect(paid.status).toBe('succeeded');
    expect(paid.checkout).toBeUndefined();
  });

  it('gives a phone the mobile cashier and a desktop asking for PAGE the desktop cashier', async () => {
    const phone = (await present('alipay-wap-1', undefined, { 'user-agent': IPHONE_UA })).data.createTopUp;
    expect(phone.qrCode).toBeNull();
    const wap = new URL(phone.redirectUrl);
    expect(wap.searchParams.get('method')).toBe('alipay.trade.wap.pay');
    // Back from the cashier to the gateway's own status page for this payment.
    const statusPage = `http://tollgate.test/pay/${dbId(phone.payment.id)}/return`;
    expect(wap.searchParams.get('return_url')).toBe(statusPage);
    expect(JSON.parse(wap.searchParams.get('biz_content')!).quit_url).toBe(statusPage);
    const desktop = (await present('alipay-page-1', 'PAGE')).data.createTopUp;
    expect(new URL(desktop.redirectUrl).searchParams.get('method')).toBe('alipay.trade.page.pay');
    expect(desktop.paymentPageUrl).toContain('#ps_');
  });
});

describe('Alipay top-up left unpaid', () => {
  const PAY_TIMEOUT_MS = 30 * 60_000; // ALIPAY_PAY_TIMEOUT_MINUTES' default
  /** The top-up as if created `ms` ago, and not looked at since. */
  const age = (paymentId: string, ms: number) => {
    const at = new Date(Date.now() - ms);
    return t.app.services.db.payment.update({
      where: { id: paymentId },
      data: { createdAt: at, updatedAt: at },
    });
  };
  const reconcile = () => t.app.services.payments.reconcileStuckPayments({ olderThanMs: 0 });

  it('closes a scanned but unpaid trade past the pay timeout, and cancels the top-up', async () => {
    const fresh = await topUp('500', 'alipay-unpaid-fresh');
    const old = await topUp('500', 'alipay-unpaid-old');
    double.buyerOpens(fresh.orderId);
    double.buyerOpens(old.orderId);
    await age(fresh.paymentDbId, PAY_TIMEOUT_MS - 60_000);
    await age(old.paymentDbId, PAY_TIMEOUT_MS + 60_000);
    const changed = await reconcile();
    expect(changed).toContain(old.paymentDbId);
    expect(changed).not.toContain(fresh.paymentDbId);
    expect(double.trades.get(old.orderId)?.status).toBe('TRADE_CLOSED');
    expect(double.trades.get(fresh.orderId)?.status).toBe('WAIT_BUYER_PAY');
    expect((await paymentRow(old.paymentDbId)).status).toBe('canceled');
    const order = await t.app.services.db.order.findUniqueOrThrow({ where: { id: old.orderId } });
    expect(order.status).toBe('canceled');
    expect((await paymentRow(fresh.paymentDbId)).status).not.toBe('canceled');
    await settle(); // Alipay's TRADE_CLOSED notification changes nothing more
    expect((await paymentRow(old.paymentDbId)).status).toBe('canceled');
  });

  it('cancels a QR code nobody scanned only once a scan at the last moment would have timed out too', async () => {
    const top = await topUp('500', 'alipay-unscanned');
    await age(top.paymentDbId, PAY_TIMEOUT_MS + 60_000);
    expect(await reconcile()).not.toContain(top.paymentDbId);
    expect((await paymentRow(top.paymentDbId)).status).not.toBe('canceled');
    await age(top.paymentDbId, 2 * PAY_TIMEOUT_MS + 60_000);
    expect(await reconcile()).toContain(top.paymentDbId);
    expect((await paymentRow(top.paymentDbId)).status).toBe('canceled');
  });
});

describe('Alipay top-up through the gateway', () => {
  it('credits the wallet once when the notification arrives, is answered success, and is delivered 20 more times', async () => {
    const top = await topUp('1500', 'alipay-top-up-1');
    expect(top.payment.providerTxnId).toBe(top.orderId);
    const before = await balance(top.walletId);
    double.buyerPays(top.orderId);
    await settle();
    expect(await balance(top.walletId)).toBe(before + 1500n * FEN);
    const attempts = double.notifier.attempts.slice(-1);
    expect(attempts.map((a) => a.outcome)).toEqual(['success']);
    const paid = await paymentRow(top.paymentDbId);
    expect(paid.status).toBe('succeeded');
    expect(paid.providerTxnId).toBe(double.trades.get(top.orderId)?.tradeNo);

    const delivered = double.notifier.sent.at(-1)?.body as string;
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(delivered)));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(await a.text()).toBe('success');
      expect(a.headers.get('x-request-id')).toBeTruthy();
    }
    await settle();
    expect(await balance(top.walletId)).toBe(before + 1500n * FEN);
    const credits = await t.app.services.db.ledgerTransaction.findMany({
      where: { idempotencyKey: `topup:${top.paymentDbId}` },
    });
    expect(credits).toHaveLength(1);
  });

  it('refunds part of a paid top-up through Alipay, reversing it in the ledger once, and tells Lago and LiteLLM', async () => {
    const top = await topUp('1000', 'alipay-top-up-refund');
    double.buyerPays(top.orderId);
    await settle();
    const paidBalance = await balance(top.walletId);
    const paymentId = top.payment.id;
    const refund = () =>
      t.gql(REFUND, { input: { paymentId, amount: '300', idempotencyKey: 'alipay-r1' } }, { token: key });
    const first = await refund();
    expect(first.errors).toBeUndefined();
    expect(first.data.refundPayment).toMatchObject({
      status: 'SUCCEEDED',
      amount: { amount: '300', currency: 'CNY', unit: 'MINOR' },
    });
    expect((await refund()).data.refundPayment.id).toBe(first.data.refundPayment.id);
    await settle(); // the refund notification is acknowledged and ignored
    expect(await balance(top.walletId)).toBe(paidBalance - 300n * FEN);
    expect([...(double.trades.get(top.orderId)?.refunds.values() ?? [])].map((r) => r.amountFen)).toEqual([
      300n,
    ]);
    expect((await t.app.services.ledger.checkConsistency()).ok).toBe(true);

    // Lago got the top-up and the refund, delivered by the outbox as for Stripe.
    const refundDbId = dbId(first.data.refundPayment.id);
    const lagoKeys = [`lago.topup:${top.paymentDbId}`, `lago.refund:${refundDbId}`];
    const lagoMessages = () =>
      t.app.services.db.outboxMessage.findMany({ where: { dedupeKey: { in: lagoKeys } } });
    // Lago issues the credit invoice a moment after the top-up: the worker retries until it has.
    for (let round = 0; round < 2000; round++) {
      const open = (await lagoMessages()).filter((m) => m.status === 'pending' || m.status === 'processing');
      if (open.length === 0) break;
      if ((await t.app.services.outbox.drain()) === 0) await new Promise((r) => setImmediate(r));
    }
    const delivered = await lagoMessages();
    expect(delivered.map((m) => [m.topic, m.status]).sort()).toEqual([
      ['lago.refund', 'delivered'],
      ['lago.topup', 'delivered'],
    ]);
    const { organizationId } = await t.app.services.db.wallet.findUniqueOrThrow({
      where: { id: top.walletId },
    });
    const lagoWallet = lago.listWallets(`organization:${organizationId}:CNY`)[0]!;
    const lagoTxs = lago.listWalletTransactions(lagoWallet.lago_id as string);
    const tagged = (key: string, value: string) =>
      lagoTxs.filter((tx) =>
        (tx.metadata as { key: string; value: string }[]).some((m) => m.key === key && m.value === value),
      );
    expect(tagged('tollgate_payment_id', top.paymentDbId)).toEqual([
      expect.objectContaining({
        transaction_type: 'inbound',
        transaction_status: 'purchased',
        credit_amount: '10',
      }),
    ]);
    expect(tagged('tollgate_refund_id', refundDbId)).toEqual([
      expect.objectContaining({
        transaction_type: 'outbound',
        transaction_status: 'voided',
        credit_amount: '3',
      }),
    ]);
    // The wallet's money moved: a LiteLLM budget push was enqueued for it.
    const pushes = await t.app.services.db.outboxMessage.count({
      where: { topic: 'litellm.budget.set', payload: { equals: { walletId: top.walletId } } },
    });
    expect(pushes).toBeGreaterThan(0);
  });

  /**
   * The buyer pays, but Alipay's notification does not get through (the endpoint is unreachable
   * until Alipay gives up): returns it, signed, for the test to deliver as it is or changed.
   */
  const paidWithheld = async (top: { orderId: string }) => {
    double.notifyUrlOverride = 'http://127.0.0.1:9/unreachable';
    try {
      double.buyerPays(top.orderId);
      await double.notifier.flush();
    } finally {
      double.notifyUrlOverride = `${t.url}/webhooks/alipay`;
    }
    const sent = double.notifier.sent.at(-1);
    if (!sent?.body.includes(top.orderId)) throw new Error('no notification for the order');
    return Object.fromEntries(new URLSearchParams(sent.body));
  };
  const resigned = (params: Record<string, string>, keyPem = double.keys.privateKeyPem) =>
    formBody(signNotification({ ...params, notify_id: randomBytes(16).toString('hex') }, keyPem)).toString();

  it('refuses a forged signature at the door, and freezes a success for another app id without crediting', async () => {
    const top = await topUp('2000', 'alipay-top-up-2');
    const before = await balance(top.walletId);
    const genuine = await paidWithheld(top);

    // Signed by someone else: refused, nothing stored.
    const stored = () => t.app.services.db.providerEvent.count({ where: { provider: 'alipay' } });
    const storedBefore = await stored();
    const forged = await post(resigned(genuine, generateRsaKeyPair().privateKeyPem));
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
    expect(await stored()).toBe(storedBefore);

    // Validly signed by Alipay's key, but for another app: stored, frozen for review, never credited.
    const foreign = await post(
      resigned({ ...genuine, app_id: '2021009999999999', auth_app_id: '2021009999999999' }),
    );
    expect(await foreign.text()).toBe('success');
    await settle();
    const row = await paymentRow(top.paymentDbId);
    expect(row.status).not.toBe('succeeded');
    expect((row.metadata as { review?: unknown }).review).toMatchObject({
      state: 'pending',
      reason: 'merchant_mismatch',
    });
    expect(await balance(top.walletId)).toBe(before);
  });

  it('freezes a validly signed success whose amount is not the order amount', async () => {
    const top = await topUp('3000', 'alipay-top-up-3');
    const before = await balance(top.walletId);
    const genuine = await paidWithheld(top);
    const forged = resigned({ ...genuine, total_amount: '300000.00', receipt_amount: '300000.00' });
    expect(await (await post(forged)).text()).toBe('success');
    await settle();
    const row = await paymentRow(top.paymentDbId);
    expect((row.metadata as { review?: unknown }).review).toMatchObject({ reason: 'amount_mismatch' });
    expect(await balance(top.walletId)).toBe(before);
  });
});

describe('which providers a currency offers (TOP_UP_PROVIDERS)', () => {
  it('lists the providers a top-up in a currency may use, and a top-up that names none takes the first', async () => {
    const offered = await t.gql(
      `{ cny: topUpProviders(currency: "cny") usd: topUpProviders(currency: "USD") }`,
      {},
      { token: key },
    );
    expect(offered.errors).toBeUndefined();
    expect(offered.data).toEqual({ cny: ['alipay'], usd: ['alipay'] });
    const bad = await t.gql(`{ topUpProviders(currency: "XXX") }`, {}, { token: key });
    expect(bad.errors?.[0].extensions.code).toBe('UNSUPPORTED_CURRENCY');

    const res = await t.gql(
      `mutation($input: CreateTopUpInput!) { createTopUp(input: $input) { payment { provider } qrCode } }`,
      { input: { currency: 'CNY', amount: '100', idempotencyKey: 'offered-default-1' } },
      { token: key },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.createTopUp.payment.provider).toBe('alipay');
    expect(res.data.createTopUp.qrCode).toMatch(/\S/);
  });
});
