import { AlipaySdk, type AlipaySdkCommonResult, type AlipaySdkConfig } from 'alipay-sdk';
import { InvalidAmountError } from '../../../lib/money.ts';
import { ProviderInvalidRequestError, ProviderResourceMissingError } from '../errors.ts';
import type {
  ClosePaymentResult,
  CreatePaymentInput,
  CreatePaymentResult,
  FindRefundInput,
  MerchantAccount,
  NormalisedPaymentEvent,
  PaymentPresentation,
  PaymentProvider,
  PaymentStatus,
  QueryResult,
  RefundInput,
  RefundResult,
  WebhookHeaders,
} from '../types.ts';
import { ALIPAY_CURRENCY, assertAlipayChargeable, fromDecimal, toYuan } from './amount.ts';
import { alipayResultError, wrapAlipayError } from './error-mapper.ts';
import {
  encodePassback,
  paymentBody,
  mapNotification,
  parseNotificationBody,
  verifyNotification,
} from './notification.ts';
import type { AlipayOptions } from './options.ts';

const PRODUCT_CODES = { page: 'FAST_INSTANT_TRADE_PAY', wap: 'QUICK_WAP_WAY' } as const;
const PAGE_METHODS = { page: 'alipay.trade.page.pay', wap: 'alipay.trade.wap.pay' } as const;

/** Phones and tablets get the mobile cashier (which can hand over to the Alipay app). */
const MOBILE_UA = /Android|iPhone|iPad|iPod|Mobile|HarmonyOS|AlipayClient/i;

/** Alipay trade numbers are all digits (28 to 32 of them); our order ids never are. */
const isAlipayTradeNo = (id: string) => /^\d{16,64}$/.test(id);
const tradeRef = (id: string) => (isAlipayTradeNo(id) ? { trade_no: id } : { out_trade_no: id });

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function sdkConfig(o: AlipayOptions): AlipaySdkConfig {
  return {
    appId: o.appId,
    privateKey: o.appPrivateKey,
    keyType: 'PKCS8',
    signType: 'RSA2',
    gateway: o.gatewayUrl,
    timeout: o.timeoutMs,
    // Keep Alipay's snake_case: the fields below are read by their documented names.
    camelcase: false,
    ...(o.alipayPublicKey
      ? { alipayPublicKey: o.alipayPublicKey }
      : {
          appCertContent: o.appCert as string,
          alipayPublicCertContent: o.alipayPublicCert as string,
          alipayRootCertContent: o.alipayRootCert as string,
        }),
  };
}

/**
 * Alipay's own merchant integration (OpenAPI 2.0 through the official alipay-sdk, RSA2): the QR
 * code (precreate), the desktop cashier (page.pay) and the mobile cashier (wap.pay), refunds by
 * `out_request_no`, and the asynchronous notification. Our order id is the `out_trade_no`, so the
 * transaction recorded at create is that id until a notification or query names Alipay's
 * `trade_no`, which is "what it became" (src/payments/event-trust.ts).
 */
export class AlipayPaymentProvider implements PaymentProvider {
  readonly id = 'alipay';
  /** What every notification's app_id and seller_id must name (src/payments/event-trust.ts). */
  readonly merchant: MerchantAccount;
  /** Alipay stops retrying a notification only when the body is exactly `success`. */
  readonly webhookAcknowledgement = { contentType: 'text/plain; charset=utf-8', body: 'success' } as const;
  readonly returnsToStatusPage = true;
  /** The `timeout_express` every trade is created with. */
  readonly unpaidExpiryMs: number;
  private readonly sdk: AlipaySdk;

  constructor(private readonly options: AlipayOptions) {
    this.sdk = new AlipaySdk(sdkConfig(options));
    this.merchant = { appId: options.appId, sellerId: options.sellerId ?? null };
    this.unpaidExpiryMs = options.payTimeoutMinutes * 60_000;
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
    assertAlipayChargeable(input.amount);
    const presentation = this.presentationFor(input);
    const biz = {
      out_trade_no: input.orderId,
      total_amount: toYuan(input.amount.amountMinor),
      subject: this.options.subject,
      timeout_express: `${this.options.payTimeoutMinutes}m`,
      body: paymentBody(input.paymentId),
      passback_params: encodePassback(input.paymentId),
    };
    const created = {
      providerTxnId: input.orderId,
      status: 'requires_payment_method' as const,
      availablePaymentMethods: ['alipay'] as const,
    };
    if (presentation === 'qr_code') {
      const r = await this.exec(
        'alipay.trade.precreate',
        { notify_url: this.options.notifyUrl, bizContent: biz },
        'create',
      );
      const qrCode = str(r.qr_code);
      if (!qrCode) throw wrapAlipayError(new Error('precreate answered without qr_code'));
      return { ...created, qrCode };
    }
    // The cashier pages are signed URLs the browser opens: no call to Alipay until the buyer does.
    const returnUrl = input.returnUrl ?? this.options.returnUrl;
    const redirectUrl = this.sdk.pageExecute(PAGE_METHODS[presentation], 'GET', {
      notify_url: this.options.notifyUrl,
      ...(returnUrl ? { return_url: returnUrl } : {}),
      bizContent: {
        ...biz,
        product_code: PRODUCT_CODES[presentation],
        ...(presentation === 'wap' && returnUrl ? { quit_url: returnUrl } : {}),
      },
    });
    return { ...created, redirectUrl };
  }

  async handleWebhook(_headers: WebhookHeaders, rawBody: Buffer): Promise<NormalisedPaymentEvent> {
    const params = parseNotificationBody(rawBody);
    verifyNotification([this.sdk], params);
    return mapNotification(params);
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    if (input.amountMinor === null) {
      // Alipay needs refund_amount and cannot tell us what is left to refund before we ask.
      throw new ProviderInvalidRequestError('Alipay refunds need an explicit amount', {
        providerId: this.id,
        param: 'amountMinor',
      });
    }
    if (input.amountMinor <= 0n)
      throw new InvalidAmountError('Refund amount must be positive', {
        amountMinor: input.amountMinor.toString(),
      });
    const r = await this.exec(
      'alipay.trade.refund',
      {
        bizContent: {
          ...tradeRef(input.providerTxnId),
          refund_amount: toYuan(input.amountMinor),
          // Our refund id: a retry with it never refunds twice (fund_change N), another amount is refused.
          out_request_no: input.refundId,
          ...(input.reason ? { refund_reason: input.reason.slice(0, 256) } : {}),
        },
      },
      'refund',
    );
    const result = { providerRefundId: input.refundId, amountMinor: input.amountMinor, failureReason: null };
    if (r.fund_change === 'Y') return { ...result, status: 'succeeded' };
    // fund_change N: a repeat of a refund already made, or one still in progress; the refund query decides.
    const found = await this.findRefund({
      providerTxnId: input.providerTxnId,
      providerRefundId: input.refundId,
      refundId: input.refundId,
    });
    return { ...result, status: found?.status ?? 'pending' };
  }

  async findRefund(input: FindRefundInput): Promise<RefundResult | null> {
    const outRequestNo = input.providerRefundId ?? input.refundId;
    let r: AlipaySdkCommonResult;
    try {
      r = await this.exec(
        'alipay.trade.fastpay.refund.query',
        { bizContent: { ...tradeRef(input.providerTxnId), out_request_no: outRequestNo } },
        'query',
      );
    } catch (e) {
      // No trade: so no refund of it.
      if (e instanceof ProviderResourceMissingError) return null;
      throw e;
    }
    // Alipay answers 10000 without refund fields when it has no refund by that number.
    const refundAmount = str(r.refund_amount);
    if (!refundAmount || str(r.out_request_no) !== outRequestNo) return null;
    const status =
      r.refund_status === undefined || r.refund_status === 'REFUND_SUCCESS' ? 'succeeded' : 'pending';
    return {
      providerRefundId: outRequestNo,
      status,
      amountMinor: fromDecimal(refundAmount),
      failureReason: null,
    };
  }

  async query(providerTxnId: string): Promise<QueryResult> {
    let r: AlipaySdkCommonResult;
    try {
      r = await this.exec('alipay.trade.query', { bizContent: tradeRef(providerTxnId) }, 'query');
    } catch (e) {
      // Alipay has no trade for our order id until a buyer opens the cashier or scans the code:
      // unpaid, not unknown. A trade number Alipay does not know is unknown.
      if (e instanceof ProviderResourceMissingError && !isAlipayTradeNo(providerTxnId)) {
        return {
          providerTxnId,
          status: 'requires_payment_method',
          amountMinor: 0n,
          amountReceivedMinor: 0n,
          currency: ALIPAY_CURRENCY,
        };
      }
      throw e;
    }
    const currency = str(r.trans_currency) ?? ALIPAY_CURRENCY;
    const paid = str(r.send_pay_date) !== undefined;
    const status = this.statusOf(str(r.trade_status), paid);
    const total = fromDecimal(str(r.total_amount) ?? '', currency);
    return {
      providerTxnId: str(r.trade_no) ?? providerTxnId,
      status,
      amountMinor: total,
      amountReceivedMinor:
        status === 'succeeded'
          ? fromDecimal(str(r.receipt_amount) ?? str(r.total_amount) ?? '', currency)
          : 0n,
      currency,
    };
  }

  async closePayment(providerTxnId: string): Promise<ClosePaymentResult> {
    try {
      await this.exec('alipay.trade.close', { bizContent: tradeRef(providerTxnId) }, 'close');
      return 'closed';
    } catch (e) {
      if (e instanceof ProviderResourceMissingError) return 'not_opened';
      if (e instanceof ProviderInvalidRequestError && e.providerCode === 'ACQ.TRADE_STATUS_ERROR')
        return 'already_paid';
      throw e;
    }
  }

  private presentationFor(input: CreatePaymentInput): PaymentPresentation {
    if (input.presentation) return input.presentation;
    if (input.userAgent && MOBILE_UA.test(input.userAgent)) return 'wap';
    return this.options.defaultPresentation;
  }

  /** TRADE_CLOSED after payment means fully refunded: the payment itself succeeded. */
  private statusOf(tradeStatus: string | undefined, paid: boolean): PaymentStatus {
    switch (tradeStatus) {
      case 'TRADE_SUCCESS':
      case 'TRADE_FINISHED':
        return 'succeeded';
      case 'TRADE_CLOSED':
        return paid ? 'succeeded' : 'canceled';
      default:
        return 'requires_payment_method';
    }
  }

  /** One signed call; the answer's signature is checked by the SDK; anything but 10000 throws typed. */
  private async exec(
    method: string,
    params: Record<string, unknown>,
    operation: Parameters<typeof alipayResultError>[1],
  ): Promise<AlipaySdkCommonResult> {
    let r: AlipaySdkCommonResult;
    try {
      r = await this.sdk.exec(method, params, { validateSign: true });
    } catch (e) {
      throw wrapAlipayError(e);
    }
    if (r.code !== '10000') throw alipayResultError(r, operation);
    return r;
  }
}
