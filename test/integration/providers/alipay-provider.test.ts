import { createSign } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { confirmSuccess, merchantClaimMismatch } from '../../../src/payments/event-trust.ts';
import { AlipayPaymentProvider } from '../../../src/providers/payment/alipay/alipay-provider.ts';
import { alipayOptionsSchema } from '../../../src/providers/payment/alipay/options.ts';
import type { CreatePaymentInput, NormalisedPaymentEvent } from '../../../src/providers/payment/types.ts';
import { selfSignedCertificate } from '../../doubles/alipay/certificates.ts';
import { formBody, generateRsaKeyPair } from '../../doubles/alipay/signing.ts';
import {
  ALIPAY_TEST_APP_ID,
  alipayConfigFor,
  alipayProviderFrom,
  makeAlipayHarness,
} from './alipay-harness.ts';

/**
 * What the Alipay provider does beyond the shared contract (contract.ts), and instead of the rules
 * it does not share: presentations, notification mapping, refunds without their own notification,
 * close, and the failures of Alipay's gateway.
 */

let h: Awaited<ReturnType<typeof makeAlipayHarness>>;
let provider: AlipayPaymentProvider;
let seq = 0;

const input = (over: Partial<CreatePaymentInput> = {}): CreatePaymentInput => {
  seq += 1;
  const id = `${process.pid}_${Date.now().toString(36)}_${seq}`;
  return {
    orderId: `ord_${id}`,
    paymentId: `pay_${id}`,
    amount: { amountMinor: 1500n, currency: 'CNY' },
    idempotencyKey: `pi-create:pay_${id}`,
    requestId: `req_${id}`,
    returnUrl: 'https://tollgate.test/pay/return',
    ...over,
  };
};

const events = async (): Promise<NormalisedPaymentEvent[]> => {
  const out: NormalisedPaymentEvent[] = [];
  for (const w of await h.deliveredWebhooks()) out.push(await provider.handleWebhook(w.headers, w.rawBody));
  return out;
};

const paid = async (amountMinor = 1500n) => {
  const inp = input({ amount: { amountMinor, currency: 'CNY' } });
  const created = await provider.createPayment(inp);
  const trade = h.double.buyerPays(created.providerTxnId);
  await h.double.notifier.flush();
  return { inp, created, tradeNo: trade.tradeNo };
};

const lastRequest = (method: string) => h.double.requests.filter((r) => r.method === method).at(-1);
const biz = (r: { params: Record<string, string> } | undefined) =>
  JSON.parse(r?.params.biz_content ?? '{}') as Record<string, string>;

beforeAll(async () => {
  h = await makeAlipayHarness();
  provider = h.provider as AlipayPaymentProvider;
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.double.notifier.switches.duplicate = false;
  h.double.faults.length = 0;
});

describe('Alipay provider', () => {
  describe('createPayment', () => {
    it('asks for a QR code by default: our order id as out_trade_no, yuan with two decimals, the timeout', async () => {
      const inp = input({ amount: { amountMinor: 1230n, currency: 'CNY' } });
      const created = await provider.createPayment(inp);
      expect(created).toMatchObject({
        providerTxnId: inp.orderId,
        status: 'requires_payment_method',
        availablePaymentMethods: ['alipay'],
      });
      expect(created.qrCode).toMatch(/^https:\/\/qr\.alipay\.com\//);
      expect(created.redirectUrl).toBeUndefined();
      const req = lastRequest('alipay.trade.precreate');
      expect(req?.params.notify_url).toBe(h.double.trades.get(inp.orderId)?.notifyUrl);
      expect(biz(req)).toMatchObject({
        out_trade_no: inp.orderId,
        total_amount: '12.30',
        timeout_express: '30m',
      });
    });

    it('sends a phone to the mobile cashier (wap.pay) and a chosen desktop page to page.pay', async () => {
      const phone = input({
        userAgent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
      });
      const wap = await provider.createPayment(phone);
      const wapUrl = new URL(wap.redirectUrl as string);
      expect(wapUrl.searchParams.get('method')).toBe('alipay.trade.wap.pay');
      expect(wapUrl.searchParams.get('return_url')).toBe('https://tollgate.test/pay/return');
      expect(JSON.parse(wapUrl.searchParams.get('biz_content') as string)).toMatchObject({
        out_trade_no: phone.orderId,
        total_amount: '15.00',
        product_code: 'QUICK_WAP_WAY',
        quit_url: 'https://tollgate.test/pay/return',
      });
      const desktop = input({ presentation: 'page' });
      const page = await provider.createPayment(desktop);
      expect(new URL(page.redirectUrl as string).searchParams.get('method')).toBe('alipay.trade.page.pay');
      // The signed URL is what the buyer's browser opens: the gateway accepts it and shows the cashier.
      for (const [url, orderId] of [
        [wap.redirectUrl, phone.orderId],
        [page.redirectUrl, desktop.orderId],
      ] as const) {
        expect(await (await fetch(url as string)).text()).toContain(`data-out-trade-no="${orderId}"`);
      }
      // No trade exists for Alipay's API until the buyer acts: unpaid, not unknown.
      expect(await provider.query(desktop.orderId)).toMatchObject({ status: 'requires_payment_method' });
    });

    it('refuses every currency but CNY before calling Alipay', async () => {
      const before = h.double.requests.length;
      await expect(
        provider.createPayment(input({ amount: { amountMinor: 1500n, currency: 'USD' } })),
      ).rejects.toMatchObject({ code: 'UNSUPPORTED_CURRENCY' });
      expect(h.double.requests.length).toBe(before);
    });
  });

  describe('notifications', () => {
    it('maps TRADE_SUCCESS with our payment id, the trade number and the merchant account', async () => {
      const { inp, tradeNo } = await paid(1500n);
      const succeeded = (await events()).filter(
        (e) => e.type === 'payment.succeeded' && e.paymentId === inp.paymentId,
      );
      expect(succeeded).toHaveLength(1);
      expect(succeeded[0]).toMatchObject({
        providerTxnId: tradeNo,
        orderId: inp.orderId,
        amountMinor: 1500n,
        amountReceivedMinor: 1500n,
        currency: 'CNY',
        providerEventType: 'TRADE_SUCCESS',
        merchantAccount: { appId: provider.merchant.appId, sellerId: provider.merchant.sellerId },
      });
      expect(merchantClaimMismatch(provider.merchant, inp.orderId, succeeded[0] as never)).toBeNull();
    });

    it('finds our payment id in passback_params (cashier pages) or in body (precreate, which has no passback)', async () => {
      const page = input({ presentation: 'page' });
      const created = await provider.createPayment(page);
      await fetch(created.redirectUrl as string); // the buyer's browser opens the cashier
      h.double.buyerPays(page.orderId);
      const qr = await paid();
      const deliveries = await h.deliveredWebhooks();
      const paramsFor = (orderId: string) =>
        deliveries
          .map((d) => Object.fromEntries(new URLSearchParams(d.rawBody.toString())))
          .find((p) => p.out_trade_no === orderId);
      expect(paramsFor(page.orderId)?.passback_params).toBeDefined();
      expect(paramsFor(qr.inp.orderId)?.passback_params).toBeUndefined();
      const all = await events();
      for (const { orderId, paymentId } of [page, qr.inp])
        expect(all.find((e) => e.type === 'payment.succeeded' && e.orderId === orderId)).toMatchObject({
          paymentId,
        });
    });

    it('gives 20 deliveries of one notification one event id', async () => {
      const { inp } = await paid();
      const [w] = (await h.deliveredWebhooks()).filter((d) => d.rawBody.toString().includes(inp.orderId));
      if (!w) throw new Error('no notification');
      const ids = new Set<string>();
      for (let i = 0; i < 20; i += 1) ids.add((await provider.handleWebhook(w.headers, w.rawBody)).eventId);
      expect(ids.size).toBe(1);
    });

    it('maps TRADE_FINISHED to a success and an unpaid TRADE_CLOSED to a cancellation', async () => {
      const { inp } = await paid();
      h.double.finish(inp.orderId);
      const open = input();
      await provider.createPayment(open);
      h.double.buyerOpens(open.orderId);
      h.double.expire(open.orderId);
      const all = await events();
      expect(
        all
          .filter((e) => e.type === 'payment.succeeded' && e.orderId === inp.orderId)
          .map((e) => e.providerEventType),
      ).toEqual(['TRADE_SUCCESS', 'TRADE_FINISHED']);
      expect(all.find((e) => e.type === 'payment.canceled' && e.orderId === open.orderId)).toMatchObject({
        cancellationReason: 'TRADE_CLOSED',
        paymentId: open.paymentId,
      });
    });

    it('acknowledges refund notifications without acting: they carry only the cumulative refund_fee', async () => {
      const { tradeNo } = await paid(1000n);
      for (const amountMinor of [300n, 700n])
        await provider.refund({
          providerTxnId: tradeNo,
          amountMinor,
          reason: null,
          idempotencyKey: `k${amountMinor}`,
          refundId: `rf_${tradeNo}_${amountMinor}`,
        });
      const refunds = (await events()).filter(
        (e) => e.type === 'ignored' && /refund notification/.test(e.reason),
      );
      expect(refunds.length).toBeGreaterThanOrEqual(2);
      // Fully refunded: the trade is closed, but the payment itself succeeded.
      expect(await provider.query(tradeNo)).toMatchObject({
        status: 'succeeded',
        amountReceivedMinor: 1000n,
      });
    });

    it('refuses RSA (SHA-1), a parameter given twice, a body without sign, and a body that is not a notification', async () => {
      const { inp } = await paid();
      const [w] = (await h.deliveredWebhooks()).filter((d) => d.rawBody.toString().includes(inp.orderId));
      if (!w) throw new Error('no notification');
      const params = Object.fromEntries(new URLSearchParams(w.rawBody.toString()));
      // Validly signed, but with RSA (SHA-1), which the SDK alone would accept.
      const { sign: _sign, sign_type: _type, ...unsigned } = params;
      const content = Object.keys(unsigned)
        .sort()
        .map((k) => `${k}=${unsigned[k]}`)
        .join('&');
      const sha1 = createSign('RSA-SHA1').update(content, 'utf8').sign(h.double.keys.privateKeyPem, 'base64');
      const sha1Body = formBody({ ...unsigned, sign_type: 'RSA', sign: sha1 });
      expect(h.sdk().checkNotifySignV2(Object.fromEntries(new URLSearchParams(sha1Body.toString())))).toBe(
        true,
      );
      const attempts: Array<[Buffer, string]> = [
        [sha1Body, 'WEBHOOK_SIGNATURE_INVALID'],
        // The same value twice still verifies for a last-wins parser: refused as ambiguous.
        [
          Buffer.concat([w.rawBody, Buffer.from(`&total_amount=${params.total_amount}`)]),
          'WEBHOOK_SIGNATURE_INVALID',
        ],
        [formBody({ total_amount: '15.00' }), 'WEBHOOK_SIGNATURE_INVALID'],
        [Buffer.from('{"trade_status":"TRADE_SUCCESS"}'), 'WEBHOOK_SIGNATURE_INVALID'],
        [Buffer.from([0xff, 0xfe, 0x00]), 'WEBHOOK_SIGNATURE_INVALID'],
      ];
      for (const [body, code] of attempts)
        await expect(provider.handleWebhook(w.headers, body)).rejects.toMatchObject({ code, status: 400 });
    });

    it('lets a forged amount through verification only as a mismatch, never as a confirmed credit', async () => {
      const { inp, created } = await paid();
      const [w] = (await h.deliveredWebhooks()).filter((d) => d.rawBody.toString().includes(inp.orderId));
      if (!w) throw new Error('no notification');
      const forged = h.tamper(w, { amountMinor: 150_000n });
      const event = await provider.handleWebhook(forged.headers, forged.rawBody);
      if (event.type !== 'payment.succeeded') throw new Error(event.type);
      expect(
        await confirmSuccess(provider, { providerTxnId: created.providerTxnId, ...inp.amount }, event),
      ).toMatchObject({
        kind: 'mismatch',
        mismatch: { kind: 'amount_mismatch', expected: '1500', got: '150000' },
      });
    });
  });

  describe('refunds and close', () => {
    it('needs an explicit refund amount', async () => {
      const { tradeNo } = await paid();
      await expect(
        provider.refund({
          providerTxnId: tradeNo,
          amountMinor: null,
          reason: null,
          idempotencyKey: 'k',
          refundId: 'rf_null',
        }),
      ).rejects.toMatchObject({ code: 'PROVIDER_INVALID_REQUEST' });
    });

    it('retries a refund whose answer was lost without refunding twice', async () => {
      const { tradeNo, inp } = await paid(1000n);
      const req = {
        providerTxnId: tradeNo,
        amountMinor: 400n,
        reason: 'requested_by_customer',
        idempotencyKey: 'k',
        refundId: `rf_lost_${inp.orderId}`,
      };
      // Twice: urllib under the SDK retries a reset socket once by itself.
      h.double.faults.push(
        { kind: 'drop', method: 'alipay.trade.refund', when: 'after' },
        { kind: 'drop', method: 'alipay.trade.refund', when: 'after' },
      );
      await expect(provider.refund(req)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
      expect(await provider.refund(req)).toMatchObject({
        providerRefundId: req.refundId,
        status: 'succeeded',
        amountMinor: 400n,
      });
      expect([...(h.double.trades.get(inp.orderId)?.refunds.values() ?? [])].map((r) => r.amountFen)).toEqual(
        [400n],
      );
      expect(
        await provider.findRefund({ providerTxnId: tradeNo, providerRefundId: null, refundId: req.refundId }),
      ).toMatchObject({ amountMinor: 400n, status: 'succeeded' });
    });

    it('closes an opened unpaid trade, reports one nobody opened, and refuses a paid one', async () => {
      const opened = input();
      await provider.createPayment(opened);
      h.double.buyerOpens(opened.orderId);
      expect(await provider.closePayment(opened.orderId)).toBe('closed');
      expect(await provider.query(opened.orderId)).toMatchObject({
        status: 'canceled',
        amountReceivedMinor: 0n,
      });
      const untouched = input();
      await provider.createPayment(untouched);
      expect(await provider.closePayment(untouched.orderId)).toBe('not_opened');
      const { tradeNo } = await paid();
      expect(await provider.closePayment(tradeNo)).toBe('already_paid');
    });
  });

  describe('certificate mode', () => {
    it("signs with the certificates' serial numbers and verifies with the key in the Alipay public certificate", async () => {
      const certMode = alipayProviderFrom({
        ...alipayConfigFor(h.double, h.appKeys, h.notifyUrl),
        ALIPAY_PUBLIC_KEY: undefined,
        ALIPAY_APP_CERT: selfSignedCertificate(h.appKeys.privateKeyPem, 'tollgate-app'),
        ALIPAY_PUBLIC_CERT: selfSignedCertificate(h.double.keys.privateKeyPem, 'alipay'),
        ALIPAY_ROOT_CERT: selfSignedCertificate(generateRsaKeyPair().privateKeyPem, 'alipay-root'),
      });
      const inp = input();
      expect((await certMode.createPayment(inp)).qrCode).toBeTruthy();
      const sent = lastRequest('alipay.trade.precreate')?.params;
      expect(sent?.app_cert_sn).toMatch(/^[0-9a-f]{32}$/);
      expect(sent?.alipay_root_cert_sn).toMatch(/^[0-9a-f]{32}$/);
      h.double.buyerPays(inp.orderId);
      const [w] = (await h.deliveredWebhooks()).filter((d) => d.rawBody.toString().includes(inp.orderId));
      if (!w) throw new Error('no notification');
      expect(await certMode.handleWebhook(w.headers, w.rawBody)).toMatchObject({
        type: 'payment.succeeded',
        paymentId: inp.paymentId,
      });
      const otherAlipayCert = alipayProviderFrom({
        ...alipayConfigFor(h.double, h.appKeys, h.notifyUrl),
        ALIPAY_PUBLIC_KEY: undefined,
        ALIPAY_APP_CERT: selfSignedCertificate(h.appKeys.privateKeyPem, 'tollgate-app'),
        ALIPAY_PUBLIC_CERT: selfSignedCertificate(generateRsaKeyPair().privateKeyPem, 'not-alipay'),
        ALIPAY_ROOT_CERT: selfSignedCertificate(generateRsaKeyPair().privateKeyPem, 'alipay-root'),
      });
      await expect(otherAlipayCert.handleWebhook(w.headers, w.rawBody)).rejects.toMatchObject({
        code: 'WEBHOOK_SIGNATURE_INVALID',
      });
      await expect(otherAlipayCert.query(inp.orderId)).rejects.toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
      });
    });
  });

  describe("Alipay's failures", () => {
    it('maps a busy gateway, a bad gateway and a dropped answer to PROVIDER_UNAVAILABLE', async () => {
      for (const kind of ['unavailable', 'http_502'] as const) {
        h.double.faults.push({ kind, method: 'alipay.trade.precreate' });
        await expect(provider.createPayment(input())).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
      }
      h.double.faults.push(
        { kind: 'drop', method: 'alipay.trade.query' },
        { kind: 'drop', method: 'alipay.trade.query' },
      );
      await expect(provider.query(input().orderId)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    });

    it('refuses an answer signed with another key, and reports refused app credentials as PROVIDER_AUTH', async () => {
      const stranger = alipayProviderFrom(
        alipayConfigFor(h.double, generateRsaKeyPair(), 'https://tollgate.test/webhooks/alipay'),
      );
      await expect(stranger.createPayment(input())).rejects.toMatchObject({
        code: 'PROVIDER_AUTH',
        status: 500,
      });
      const wrongAlipayKey = alipayProviderFrom({
        ...alipayConfigFor(h.double, h.appKeys, 'https://tollgate.test/webhooks/alipay'),
        ALIPAY_PUBLIC_KEY: generateRsaKeyPair().publicKeyPem,
      });
      await expect(wrongAlipayKey.query(input().orderId)).rejects.toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
      });
    });

    it('gives up on a gateway that does not answer within the timeout, as PROVIDER_UNAVAILABLE', async () => {
      const impatient = new AlipayPaymentProvider(
        alipayOptionsSchema.parse({
          appId: ALIPAY_TEST_APP_ID,
          appPrivateKey: h.appKeys.privateKeyPem,
          alipayPublicKey: h.double.keys.publicKeyPem,
          gatewayUrl: h.double.gatewayUrl,
          notifyUrl: 'https://tollgate.test/webhooks/alipay',
          timeoutMs: 100,
        }),
      );
      // Far beyond the timeout: undici's timers are coarse (up to about a second), so a delay just
      // over the timeout could still be answered.
      h.double.responseDelayMs = 10_000;
      const started = Date.now();
      try {
        await expect(impatient.query(input().orderId)).rejects.toMatchObject({
          code: 'PROVIDER_UNAVAILABLE',
        });
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        h.double.responseDelayMs = 0;
      }
    });
  });
});
