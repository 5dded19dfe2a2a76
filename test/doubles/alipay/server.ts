import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlipayNotifier } from './notifier.ts';
import { generateRsaKeyPair, type RsaKeyPair, requestSignContent, rsa2Sign, rsa2Verify } from './signing.ts';

/**
 * A double of Alipay's open platform gateway (`/gateway.do`, OpenAPI 2.0) for the methods Tollgate
 * uses: alipay.trade.page.pay / wap.pay (the buyer's browser), precreate (QR code), query, close,
 * refund and fastpay.refund.query. It checks our RSA2 request signature with our app public key,
 * keeps trades and refunds with Alipay's states and error codes, signs every answer and notification
 * with its own key pair, and notifies until it reads `success`.
 *
 * Like the real gateway, a trade exists for query/close/refund only once a buyer has opened the
 * cashier or scanned the QR code: before that the answer is ACQ.TRADE_NOT_EXIST.
 */

export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED';

interface RefundRecord {
  readonly outRequestNo: string;
  readonly amountFen: bigint;
  readonly gmtRefund: string;
}

export interface DoubleTrade {
  readonly outTradeNo: string;
  readonly tradeNo: string;
  readonly totalFen: bigint;
  readonly subject: string;
  readonly productCode: string;
  readonly notifyUrl: string | undefined;
  readonly passbackParams: string | undefined;
  readonly body: string | undefined;
  readonly qrCode: string;
  readonly gmtCreate: string;
  /** False until a buyer opens the cashier or scans the code. */
  visible: boolean;
  status: TradeStatus;
  gmtPayment: string | undefined;
  buyerId: string | undefined;
  readonly refunds: Map<string, RefundRecord>;
}

export interface InjectedFault {
  /** `unavailable`: code 20000 isp.unknow-error; `http_502`: a bad gateway; `drop`: the socket closes. */
  readonly kind: 'unavailable' | 'http_502' | 'drop';
  /** Only for this API method; every method when absent. */
  readonly method?: string;
  /** Before or after the change is made (an `after` fault is the dangerous one: it happened). */
  readonly when?: 'before' | 'after';
}

export interface AlipayDoubleOptions {
  readonly appId: string;
  /** Our app public key (SPKI PEM) that requests must verify with. */
  readonly appPublicKeyPem: string;
  /** The merchant's Alipay user id (2088…), reported as seller_id. */
  readonly sellerId?: string;
  /** Delays between notification attempts; Alipay's real schedule by default. */
  readonly notifyRetryDelaysMs?: readonly number[];
  readonly port?: number;
}

const BUYER_ID = '2088102177846880';
const BUYER_LOGON_ID = 'buy***@example.com';

const pad = (n: number) => String(n).padStart(2, '0');
/** Alipay's time format, Beijing time: yyyy-MM-dd HH:mm:ss. */
export const alipayTime = (ms: number): string => {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

export const yuan = (fen: bigint): string => `${fen / 100n}.${pad(Number(fen % 100n))}`;
const parseYuan = (s: unknown): bigint | null => {
  if (typeof s !== 'string' && typeof s !== 'number') return null;
  const m = /^(\d{1,11})(?:\.(\d{1,2}))?$/.exec(String(s));
  if (!m) return null;
  return BigInt(m[1] as string) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
};

type Biz = Record<string, unknown>;
type Answer = Record<string, unknown>;

const fail = (error: Answer) => ({ error });
const ok = (fields: Answer): Answer => ({ code: '10000', msg: 'Success', ...fields });
const failed = (subCode: string, subMsg: string): Answer => ({
  code: '40004',
  msg: 'Business Failed',
  sub_code: subCode,
  sub_msg: subMsg,
});
const invalid = (subCode: string, subMsg: string): Answer => ({
  code: '40002',
  msg: 'Invalid Arguments',
  sub_code: subCode,
  sub_msg: subMsg,
});

export class AlipayDouble {
  readonly keys: RsaKeyPair = generateRsaKeyPair();
  readonly trades = new Map<string, DoubleTrade>();
  readonly notifier: AlipayNotifier;
  /** Every request the gateway received: method and verified parameters. */
  readonly requests: Array<{ method: string; params: Record<string, string> }> = [];
  readonly faults: InjectedFault[] = [];
  /** Added before every answer. */
  responseDelayMs = 0;
  /**
   * Where notifications go instead of each trade's notify_url: for a gateway whose URL is known only
   * after its configuration was read (it listens on port 0).
   */
  notifyUrlOverride: string | undefined;
  private signingKey: string = this.keys.privateKeyPem;
  private tradeSeq = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: AlipayDoubleOptions,
  ) {
    this.notifier = new AlipayNotifier(() => this.signingKey, options.notifyRetryDelaysMs ?? [10, 20, 40]);
  }

  static async start(options: AlipayDoubleOptions): Promise<AlipayDouble> {
    let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
    const server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const double = new AlipayDouble(server, `http://127.0.0.1:${port}`, options);
    handler = (req, res) => {
      double.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(e));
      });
    };
    return double;
  }

  get gatewayUrl(): string {
    return `${this.baseUrl}/gateway.do`;
  }

  get sellerId(): string {
    return this.options.sellerId ?? '2088101122136241';
  }

  /** From now on, answers and notifications are signed with another key (our config no longer matches). */
  signWithUnknownKey(): void {
    this.signingKey = generateRsaKeyPair().privateKeyPem;
  }

  /** The buyer opens the cashier (page/wap) or scans the QR code: the trade becomes visible. */
  buyerOpens(outTradeNo: string): DoubleTrade {
    const t = this.trade(outTradeNo);
    t.visible = true;
    return t;
  }

  /** The buyer pays: TRADE_SUCCESS, then the notification. */
  buyerPays(outTradeNo: string): DoubleTrade {
    const t = this.buyerOpens(outTradeNo);
    if (t.status !== 'WAIT_BUYER_PAY') throw new Error(`trade ${outTradeNo} is ${t.status}`);
    t.status = 'TRADE_SUCCESS';
    t.gmtPayment = alipayTime(Date.now());
    t.buyerId = BUYER_ID;
    this.notify(t, {});
    return t;
  }

  /** The timeout passed unpaid (timeout_express / time_expire): TRADE_CLOSED, notified once visible. */
  expire(outTradeNo: string): void {
    const t = this.trade(outTradeNo);
    if (t.status !== 'WAIT_BUYER_PAY') return;
    t.status = 'TRADE_CLOSED';
    if (t.visible) this.notify(t, {});
  }

  /** The refund window ended (or the product forbids refunds): TRADE_FINISHED, notified. */
  finish(outTradeNo: string): void {
    const t = this.trade(outTradeNo);
    t.status = 'TRADE_FINISHED';
    this.notify(t, {});
  }

  async close(): Promise<void> {
    this.notifier.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private trade(outTradeNo: string): DoubleTrade {
    const t = this.trades.get(outTradeNo);
    if (!t) throw new Error(`no trade ${outTradeNo}`);
    return t;
  }

  private notify(t: DoubleTrade, extra: Record<string, string>): void {
    const url = this.notifyUrlOverride ?? t.notifyUrl;
    if (!url) return;
    const now = Date.now();
    const refunded = [...t.refunds.values()].reduce((s, r) => s + r.amountFen, 0n);
    const params: Record<string, string> = {
      notify_time: alipayTime(now),
      notify_type: 'trade_status_sync',
      notify_id: `${randomBytes(16).toString('hex')}`,
      charset: 'utf-8',
      version: '1.0',
      app_id: this.options.appId,
      auth_app_id: this.options.appId,
      trade_no: t.tradeNo,
      out_trade_no: t.outTradeNo,
      seller_id: this.sellerId,
      trade_status: t.status,
      total_amount: yuan(t.totalFen),
      subject: t.subject,
      gmt_create: t.gmtCreate,
      ...(t.buyerId ? { buyer_id: t.buyerId, buyer_logon_id: BUYER_LOGON_ID } : {}),
      ...(t.gmtPayment
        ? {
            gmt_payment: t.gmtPayment,
            receipt_amount: yuan(t.totalFen),
            buyer_pay_amount: yuan(t.totalFen),
            invoice_amount: yuan(t.totalFen),
            point_amount: '0.00',
            fund_bill_list: JSON.stringify([{ amount: yuan(t.totalFen), fundChannel: 'ALIPAYACCOUNT' }]),
          }
        : {}),
      ...(refunded > 0n ? { refund_fee: yuan(refunded) } : {}),
      ...(t.passbackParams ? { passback_params: t.passbackParams } : {}),
      ...(t.body ? { body: t.body } : {}),
      ...extra,
    };
    this.notifier.send(url, params);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    if (url.pathname !== '/gateway.do') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    const body = Buffer.concat(chunks).toString('utf8');
    if (body) for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    const method = params.method ?? '';
    const key = `${method.replaceAll('.', '_')}_response`;
    if (this.responseDelayMs > 0) await new Promise((r) => setTimeout(r, this.responseDelayMs));

    const fault = (when: 'before' | 'after') => {
      const i = this.faults.findIndex(
        (f) => (f.when ?? 'before') === when && (!f.method || f.method === method),
      );
      if (i < 0) return false;
      const [f] = this.faults.splice(i, 1);
      if (f?.kind === 'drop') res.destroy();
      else if (f?.kind === 'http_502') res.writeHead(502).end('Bad Gateway');
      else
        this.answer(res, key, {
          code: '20000',
          msg: 'Service Currently Unavailable',
          sub_code: 'isp.unknow-error',
          sub_msg: '系统繁忙',
        });
      return true;
    };
    if (fault('before')) return;

    const refused = this.authenticate(params);
    if (refused) {
      this.answer(res, key, refused);
      return;
    }
    this.requests.push({ method, params });
    let biz: Biz;
    try {
      biz = JSON.parse(params.biz_content ?? '{}') as Biz;
    } catch {
      this.answer(res, key, invalid('isv.invalid-parameter', 'biz_content 不是合法的 JSON'));
      return;
    }
    if (method === 'alipay.trade.page.pay' || method === 'alipay.trade.wap.pay') {
      const created = this.createTrade(
        biz,
        params,
        method === 'alipay.trade.page.pay' ? 'FAST_INSTANT_TRADE_PAY' : 'QUICK_WAP_WAY',
      );
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        created.trade
          ? `<!doctype html><title>支付宝 - 网上支付 安全快速！</title><h1>收银台</h1><p data-out-trade-no="${created.trade.outTradeNo}">¥${yuan(created.trade.totalFen)}</p>`
          : `<!doctype html><title>支付宝 - 错误</title><p data-sub-code="${String(created.error.sub_code)}">${String(created.error.sub_msg)}</p>`,
      );
      return;
    }
    const answer = this.dispatch(method, biz, params);
    if (fault('after')) return;
    this.answer(res, key, answer);
  }

  /** Null when the app id is ours and the signature verifies with our app public key. */
  private authenticate(params: Record<string, string>): Answer | null {
    if (!params.method) return invalid('isv.missing-method', '缺少方法名参数');
    if (params.app_id !== this.options.appId) return invalid('isv.invalid-app-id', '无效的AppID参数');
    if (params.sign_type !== 'RSA2') return invalid('isv.invalid-signature-type', '无效的签名类型');
    if (!params.sign || !rsa2Verify(this.options.appPublicKeyPem, requestSignContent(params), params.sign)) {
      return invalid('isv.invalid-signature', `验签出错，验签字符串为：${requestSignContent(params)}`);
    }
    return null;
  }

  private answer(res: ServerResponse, key: string, payload: Answer): void {
    const json = JSON.stringify(payload);
    const sign = rsa2Sign(this.signingKey, json);
    res.writeHead(200, {
      'content-type': 'text/html;charset=utf-8',
      trace_id: randomBytes(8).toString('hex'),
    });
    res.end(`{"${key}":${json},"sign":"${sign}"}`);
  }

  private dispatch(method: string, biz: Biz, params: Record<string, string>): Answer {
    switch (method) {
      case 'alipay.trade.precreate': {
        const created = this.createTrade(biz, params, 'FACE_TO_FACE_PAYMENT');
        return created.trade
          ? ok({ out_trade_no: created.trade.outTradeNo, qr_code: created.trade.qrCode })
          : created.error;
      }
      case 'alipay.trade.query':
        return this.withVisibleTrade(biz, (t) => ok(this.tradeFields(t)));
      case 'alipay.trade.close':
        return this.withVisibleTrade(biz, (t) => {
          if (t.status === 'TRADE_CLOSED') return ok({ trade_no: t.tradeNo, out_trade_no: t.outTradeNo });
          if (t.status !== 'WAIT_BUYER_PAY') return failed('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
          t.status = 'TRADE_CLOSED';
          this.notify(t, {});
          return ok({ trade_no: t.tradeNo, out_trade_no: t.outTradeNo });
        });
      case 'alipay.trade.refund':
        return this.withVisibleTrade(biz, (t) => this.refund(t, biz));
      case 'alipay.trade.fastpay.refund.query':
        return this.withVisibleTrade(biz, (t) => {
          const r = t.refunds.get(String(biz.out_request_no ?? ''));
          // Alipay answers 10000 with no refund fields when no refund has that request number.
          if (!r) return ok({ trade_no: t.tradeNo, out_trade_no: t.outTradeNo });
          return ok({
            trade_no: t.tradeNo,
            out_trade_no: t.outTradeNo,
            out_request_no: r.outRequestNo,
            total_amount: yuan(t.totalFen),
            refund_amount: yuan(r.amountFen),
            refund_status: 'REFUND_SUCCESS',
            gmt_refund_pay: r.gmtRefund,
          });
        });
      default:
        return invalid('isv.invalid-method', '不存在的方法名');
    }
  }

  private createTrade(
    biz: Biz,
    params: Record<string, string>,
    productCode: string,
  ): { trade: DoubleTrade; error?: undefined } | { trade?: undefined; error: Answer } {
    const outTradeNo = biz.out_trade_no;
    const totalFen = parseYuan(biz.total_amount);
    if (typeof outTradeNo !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(outTradeNo))
      return fail(invalid('isv.invalid-parameter', 'out_trade_no 无效'));
    if (typeof biz.subject !== 'string' || biz.subject === '')
      return fail(invalid('isv.missing-parameter', '缺少 subject'));
    if (totalFen === null || totalFen < 1n || totalFen > 10_000_000_000n)
      return fail(failed('ACQ.TOTAL_FEE_EXCEED', '订单金额超过限额'));
    const existing = this.trades.get(outTradeNo);
    if (existing) {
      if (existing.status === 'TRADE_SUCCESS' || existing.status === 'TRADE_FINISHED')
        return fail(failed('ACQ.TRADE_HAS_SUCCESS', '交易已被支付'));
      if (existing.status === 'TRADE_CLOSED') return fail(failed('ACQ.TRADE_HAS_CLOSE', '交易已经关闭'));
      if (existing.totalFen !== totalFen || existing.subject !== biz.subject)
        return fail(failed('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改'));
      return { trade: existing };
    }
    this.tradeSeq += 1;
    const now = Date.now();
    const trade: DoubleTrade = {
      outTradeNo,
      tradeNo: `${alipayTime(now).replace(/\D/g, '').slice(0, 8)}22001${String(now).slice(-7)}${String(this.tradeSeq).padStart(8, '0')}`,
      totalFen,
      subject: biz.subject,
      productCode,
      notifyUrl: params.notify_url || undefined,
      // passback_params is a field of the cashier pages (page.pay, wap.pay), not of precreate: a
      // precreate trade does not echo it. body is echoed by every product.
      passbackParams:
        productCode !== 'FACE_TO_FACE_PAYMENT' && typeof biz.passback_params === 'string'
          ? biz.passback_params
          : undefined,
      body: typeof biz.body === 'string' ? biz.body : undefined,
      qrCode: `https://qr.alipay.com/bax0${randomBytes(10).toString('hex')}`,
      gmtCreate: alipayTime(now),
      visible: false,
      status: 'WAIT_BUYER_PAY',
      gmtPayment: undefined,
      buyerId: undefined,
      refunds: new Map(),
    };
    this.trades.set(outTradeNo, trade);
    return { trade };
  }

  private withVisibleTrade(biz: Biz, fn: (t: DoubleTrade) => Answer): Answer {
    const byOut = typeof biz.out_trade_no === 'string' ? this.trades.get(biz.out_trade_no) : undefined;
    const byNo =
      typeof biz.trade_no === 'string'
        ? [...this.trades.values()].find((t) => t.tradeNo === biz.trade_no)
        : undefined;
    if (biz.out_trade_no === undefined && biz.trade_no === undefined)
      return invalid('isv.missing-parameter', 'out_trade_no 和 trade_no 不能同时为空');
    // trade_no wins when both are given (Alipay's rule).
    const t = biz.trade_no !== undefined ? byNo : byOut;
    if (!t?.visible) return failed('ACQ.TRADE_NOT_EXIST', '交易不存在');
    return fn(t);
  }

  private tradeFields(t: DoubleTrade): Answer {
    const paid = t.gmtPayment !== undefined;
    return {
      trade_no: t.tradeNo,
      out_trade_no: t.outTradeNo,
      trade_status: t.status,
      total_amount: yuan(t.totalFen),
      ...(t.buyerId ? { buyer_logon_id: BUYER_LOGON_ID, buyer_user_id: t.buyerId } : {}),
      ...(paid
        ? {
            send_pay_date: t.gmtPayment,
            buyer_pay_amount: yuan(t.totalFen),
            receipt_amount: yuan(t.totalFen),
            invoice_amount: yuan(t.totalFen),
            point_amount: '0.00',
          }
        : {}),
    };
  }

  private refund(t: DoubleTrade, biz: Biz): Answer {
    const amountFen = parseYuan(biz.refund_amount);
    if (amountFen === null || amountFen < 1n) return invalid('isv.invalid-parameter', 'refund_amount 无效');
    // Without out_request_no the refund is one full refund keyed by the trade itself.
    const outRequestNo = typeof biz.out_request_no === 'string' ? biz.out_request_no : t.outTradeNo;
    const refundedFen = () => [...t.refunds.values()].reduce((s, r) => s + r.amountFen, 0n);
    const answer = (fundChange: 'Y' | 'N') =>
      ok({
        trade_no: t.tradeNo,
        out_trade_no: t.outTradeNo,
        buyer_logon_id: BUYER_LOGON_ID,
        buyer_user_id: t.buyerId,
        fund_change: fundChange,
        refund_fee: yuan(refundedFen()),
        gmt_refund_pay: t.refunds.get(outRequestNo)?.gmtRefund,
      });
    const previous = t.refunds.get(outRequestNo);
    if (previous) {
      // A retry of the same refund request: no money moves again.
      if (previous.amountFen !== amountFen) return failed('ACQ.DISCORDANT_REPEAT_REQUEST', '请求信息不一致');
      return answer('N');
    }
    if (t.status === 'TRADE_FINISHED') return failed('ACQ.TRADE_HAS_FINISHED', '交易已完结');
    if (t.status === 'TRADE_CLOSED') return failed('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
    if (t.status !== 'TRADE_SUCCESS') return failed('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    if (refundedFen() + amountFen > t.totalFen)
      return failed('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
    const gmtRefund = alipayTime(Date.now());
    t.refunds.set(outRequestNo, { outRequestNo, amountFen, gmtRefund });
    // A full refund closes the trade.
    if (refundedFen() === t.totalFen) t.status = 'TRADE_CLOSED';
    this.notify(t, { out_biz_no: outRequestNo, gmt_refund: `${gmtRefund}.000` });
    return answer('Y');
  }
}
