import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNotifyReceiver } from '../../doubles/alipay/notify-receiver.ts';
import { AlipayDouble } from '../../doubles/alipay/server.ts';
import { generateRsaKeyPair } from '../../doubles/alipay/signing.ts';

/**
 * The double must accept and answer what the official alipay-sdk (v4) sends and reads: every call
 * here goes through the real SDK, with response signatures checked, so a double that drifts from
 * the SDK's wire format or signing fails here first.
 */

const APP_ID = '2021000000000001';
const appKeys = generateRsaKeyPair();
let double: AlipayDouble;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
let seq = 0;

const sdk = (over: { privateKey?: string; appId?: string; alipayPublicKey?: string } = {}) =>
  new AlipaySdk({
    appId: over.appId ?? APP_ID,
    privateKey: over.privateKey ?? appKeys.privateKeyPem,
    keyType: 'PKCS8',
    alipayPublicKey: over.alipayPublicKey ?? double.keys.publicKeyPem,
    gateway: double.gatewayUrl,
    camelcase: false,
    timeout: 5000,
  });

const orderNo = () => `ord_${process.pid}_${Date.now().toString(36)}_${++seq}`;

const precreate = (outTradeNo: string, totalAmount = '10.00', notifyUrl = receiver.url) =>
  sdk().exec(
    'alipay.trade.precreate',
    {
      notify_url: notifyUrl,
      bizContent: { out_trade_no: outTradeNo, total_amount: totalAmount, subject: 'Top-up' },
    },
    { validateSign: true },
  );

const paid = async (totalAmount = '10.00') => {
  const out = orderNo();
  await precreate(out, totalAmount);
  double.buyerPays(out);
  await double.notifier.flush();
  return out;
};

const notificationsFor = (outTradeNo: string) =>
  receiver.received
    .map((n) => Object.fromEntries(new URLSearchParams(n.rawBody.toString('utf8'))))
    .filter((p) => p.out_trade_no === outTradeNo);

beforeAll(async () => {
  receiver = await startNotifyReceiver();
  double = await AlipayDouble.start({
    appId: APP_ID,
    appPublicKeyPem: appKeys.publicKeyPem,
    notifyRetryDelaysMs: [5, 5, 5],
  });
});
afterAll(async () => {
  await double.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.replyWith('success');
  double.notifier.switches.duplicate = false;
});

describe('Alipay double driven by alipay-sdk v4', () => {
  it('precreate answers a signed envelope with the QR code, and repeats it for the same order', async () => {
    const out = orderNo();
    const a = await precreate(out);
    expect(a).toMatchObject({ code: '10000', msg: 'Success', out_trade_no: out });
    expect(a.qr_code).toMatch(/^https:\/\/qr\.alipay\.com\//);
    const b = await precreate(out);
    expect(b.qr_code).toBe(a.qr_code);
  });

  it('refuses the same out_trade_no with another amount as ACQ.CONTEXT_INCONSISTENT', async () => {
    const out = orderNo();
    await precreate(out, '10.00');
    expect(await precreate(out, '10.01')).toMatchObject({
      code: '40004',
      sub_code: 'ACQ.CONTEXT_INCONSISTENT',
    });
  });

  it('rejects a request signed with another key, and another app id', async () => {
    const out = orderNo();
    const forged = await sdk({ privateKey: generateRsaKeyPair().privateKeyPem }).exec('alipay.trade.query', {
      bizContent: { out_trade_no: out },
    });
    expect(forged).toMatchObject({ code: '40002', sub_code: 'isv.invalid-signature' });
    const otherApp = await sdk({ appId: '2021000000000999' }).exec('alipay.trade.query', {
      bizContent: { out_trade_no: out },
    });
    expect(otherApp).toMatchObject({ code: '40002', sub_code: 'isv.invalid-app-id' });
  });

  it('signs its answers with its own key: the SDK refuses them under another Alipay public key', async () => {
    const other = sdk({ alipayPublicKey: generateRsaKeyPair().publicKeyPem });
    await expect(
      other.exec('alipay.trade.query', { bizContent: { out_trade_no: orderNo() } }, { validateSign: true }),
    ).rejects.toThrow(/验签失败/);
  });

  it('page.pay and wap.pay build URLs and forms the gateway accepts, opening a cashier for the order', async () => {
    for (const method of ['alipay.trade.page.pay', 'alipay.trade.wap.pay']) {
      const out = orderNo();
      const url = sdk().pageExecute(method, 'GET', {
        notify_url: receiver.url,
        return_url: 'https://tollgate.test/pay/return',
        bizContent: {
          out_trade_no: out,
          total_amount: '12.34',
          subject: 'Top-up',
          product_code: method.endsWith('page.pay') ? 'FAST_INSTANT_TRADE_PAY' : 'QUICK_WAP_WAY',
        },
      });
      expect(url.startsWith(double.gatewayUrl)).toBe(true);
      const page = await (await fetch(url)).text();
      expect(page).toContain(`data-out-trade-no="${out}"`);
      expect(page).toContain('¥12.34');
      expect(double.trades.get(out)).toMatchObject({ totalFen: 1234n, status: 'WAIT_BUYER_PAY' });
    }
    const out = orderNo();
    const form = sdk().pageExecute('alipay.trade.page.pay', 'POST', {
      bizContent: {
        out_trade_no: out,
        total_amount: '1.00',
        subject: 'Top-up',
        product_code: 'FAST_INSTANT_TRADE_PAY',
      },
    });
    const action = /action="([^"]+)"/.exec(form)?.[1]?.replaceAll('&amp;', '&') as string;
    const fields = [...form.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map(
      ([, k, v]) => [k, (v as string).replaceAll('&quot;', '"')] as [string, string],
    );
    const posted = await fetch(action, { method: 'POST', body: new URLSearchParams(fields) });
    expect(await posted.text()).toContain(`data-out-trade-no="${out}"`);
  });

  it('answers ACQ.TRADE_NOT_EXIST until the buyer scans, then WAIT_BUYER_PAY, then TRADE_SUCCESS', async () => {
    const out = orderNo();
    await precreate(out);
    const query = () =>
      sdk().exec('alipay.trade.query', { bizContent: { out_trade_no: out } }, { validateSign: true });
    expect(await query()).toMatchObject({ code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' });
    double.buyerOpens(out);
    expect(await query()).toMatchObject({
      code: '10000',
      trade_status: 'WAIT_BUYER_PAY',
      total_amount: '10.00',
    });
    double.buyerPays(out);
    const q = await query();
    expect(q).toMatchObject({
      trade_status: 'TRADE_SUCCESS',
      total_amount: '10.00',
      buyer_pay_amount: '10.00',
    });
    expect(q.trade_no).toMatch(/^\d{28,32}$/);
    expect(q.send_pay_date).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('closes an unpaid trade and refuses to close a paid one', async () => {
    const out = orderNo();
    await precreate(out);
    double.buyerOpens(out);
    expect(
      await sdk().exec('alipay.trade.close', { bizContent: { out_trade_no: out } }, { validateSign: true }),
    ).toMatchObject({
      code: '10000',
      out_trade_no: out,
    });
    const paidOut = await paid();
    expect(await sdk().exec('alipay.trade.close', { bizContent: { out_trade_no: paidOut } })).toMatchObject({
      sub_code: 'ACQ.TRADE_STATUS_ERROR',
    });
    expect(await sdk().exec('alipay.trade.close', { bizContent: { out_trade_no: orderNo() } })).toMatchObject(
      {
        sub_code: 'ACQ.TRADE_NOT_EXIST',
      },
    );
  });

  it('refunds in parts, idempotent on out_request_no, refusing more than was paid', async () => {
    const out = await paid('10.00');
    const refund = (outRequestNo: string, amount: string) =>
      sdk().exec(
        'alipay.trade.refund',
        { bizContent: { out_trade_no: out, refund_amount: amount, out_request_no: outRequestNo } },
        { validateSign: true },
      );
    expect(await refund('rf_1', '3.00')).toMatchObject({
      code: '10000',
      fund_change: 'Y',
      refund_fee: '3.00',
    });
    expect(await refund('rf_1', '3.00')).toMatchObject({
      code: '10000',
      fund_change: 'N',
      refund_fee: '3.00',
    });
    expect(await refund('rf_1', '4.00')).toMatchObject({ sub_code: 'ACQ.DISCORDANT_REPEAT_REQUEST' });
    expect(await refund('rf_2', '7.01')).toMatchObject({
      code: '40004',
      sub_code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
    });
    expect(await refund('rf_2', '7.00')).toMatchObject({ fund_change: 'Y', refund_fee: '10.00' });
    expect(await refund('rf_3', '0.01')).toMatchObject({ sub_code: 'ACQ.TRADE_HAS_CLOSE' });

    const found = await sdk().exec(
      'alipay.trade.fastpay.refund.query',
      { bizContent: { out_trade_no: out, out_request_no: 'rf_1' } },
      { validateSign: true },
    );
    expect(found).toMatchObject({
      code: '10000',
      out_request_no: 'rf_1',
      refund_amount: '3.00',
      refund_status: 'REFUND_SUCCESS',
    });
    const none = await sdk().exec('alipay.trade.fastpay.refund.query', {
      bizContent: { out_trade_no: out, out_request_no: 'rf_never' },
    });
    expect(none.code).toBe('10000');
    expect(none.refund_amount).toBeUndefined();
  });

  it('refuses to refund an unpaid trade and a trade that does not exist', async () => {
    const out = orderNo();
    await precreate(out);
    double.buyerOpens(out);
    const refund = (o: string) =>
      sdk().exec('alipay.trade.refund', {
        bizContent: { out_trade_no: o, refund_amount: '1.00', out_request_no: 'r' },
      });
    expect(await refund(out)).toMatchObject({ sub_code: 'ACQ.TRADE_STATUS_ERROR' });
    expect(await refund(orderNo())).toMatchObject({ sub_code: 'ACQ.TRADE_NOT_EXIST' });
  });

  it('posts notifications form-encoded that the SDK verifies, and a changed one that it refuses', async () => {
    const out = await paid('10.00');
    const [n] = notificationsFor(out);
    expect(n).toMatchObject({
      app_id: APP_ID,
      out_trade_no: out,
      trade_status: 'TRADE_SUCCESS',
      total_amount: '10.00',
      seller_id: double.sellerId,
      notify_type: 'trade_status_sync',
      sign_type: 'RSA2',
    });
    expect(sdk().checkNotifySignV2(n)).toBe(true);
    expect(sdk().checkNotifySignV2({ ...n, total_amount: '0.01' })).toBe(false);
    expect(sdk({ alipayPublicKey: generateRsaKeyPair().publicKeyPem }).checkNotifySignV2(n)).toBe(false);
    const [contentType] = receiver.received.map((r) => r.headers['content-type']);
    expect(contentType).toMatch(/^application\/x-www-form-urlencoded/);
  });

  it('notifies refunds with out_biz_no and the cumulative refund_fee, and TRADE_CLOSED on a full refund', async () => {
    const out = await paid('5.00');
    for (const [no, amount] of [
      ['rf_a', '2.00'],
      ['rf_b', '3.00'],
    ] as const)
      await sdk().exec('alipay.trade.refund', {
        bizContent: { out_trade_no: out, refund_amount: amount, out_request_no: no },
      });
    await double.notifier.flush();
    const [, first, second] = notificationsFor(out);
    expect(first).toMatchObject({ trade_status: 'TRADE_SUCCESS', out_biz_no: 'rf_a', refund_fee: '2.00' });
    expect(second).toMatchObject({ trade_status: 'TRADE_CLOSED', out_biz_no: 'rf_b', refund_fee: '5.00' });
    expect(sdk().checkNotifySignV2(second)).toBe(true);
  });

  it('retries on the injected schedule until the answer is exactly "success", keeping the notify_id', async () => {
    receiver.replyWith('SUCCESS');
    const out = orderNo();
    await precreate(out);
    double.buyerPays(out);
    await double.notifier.flush();
    const tries = notificationsFor(out);
    expect(tries).toHaveLength(4);
    expect(new Set(tries.map((t) => t.notify_id)).size).toBe(1);

    receiver.replyWith('fail');
    const again = orderNo();
    await precreate(again);
    double.buyerPays(again);
    setTimeout(() => receiver.replyWith('success'), 0);
    await double.notifier.flush();
    const attempts = double.notifier.attempts.filter(
      (a) => a.notifyId === notificationsFor(again)[0]?.notify_id,
    );
    expect(attempts.at(-1)?.outcome).toBe('success');
  });

  it('injects failures before or after the change, and delays', async () => {
    const out = orderNo();
    double.faults.push({ kind: 'unavailable', method: 'alipay.trade.precreate' });
    expect(await precreate(out)).toMatchObject({ code: '20000', sub_code: 'isp.unknow-error' });
    // urllib (under the SDK) retries once on a reset socket: two drops reach the caller.
    double.faults.push({ kind: 'drop', method: 'alipay.trade.precreate', when: 'after' });
    double.faults.push({ kind: 'drop', method: 'alipay.trade.precreate', when: 'after' });
    await expect(precreate(out)).rejects.toThrow();
    // The dropped call created the trade: the retry gets the same one.
    expect((await precreate(out)).code).toBe('10000');
    double.faults.push({ kind: 'http_502' });
    await expect(precreate(out)).rejects.toThrow(/502/);
    double.responseDelayMs = 50;
    const started = Date.now();
    await precreate(out);
    double.responseDelayMs = 0;
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
