import { AlipaySdk } from 'alipay-sdk';
import { randomBytes } from 'node:crypto';
import { currencyExponent, toDecimalString } from '../../../src/lib/money.ts';
import {
  createPaymentProviders,
  type PaymentProvidersConfig,
} from '../../../src/providers/payment/registry.ts';
import { fromDecimal } from '../../../src/providers/payment/alipay/amount.ts';
import type { PaymentProvider } from '../../../src/providers/payment/types.ts';
import { startNotifyReceiver } from '../../doubles/alipay/notify-receiver.ts';
import { AlipayDouble } from '../../doubles/alipay/server.ts';
import {
  formBody,
  generateRsaKeyPair,
  type RsaKeyPair,
  signNotification,
} from '../../doubles/alipay/signing.ts';
import type { ProviderCapabilities } from './capabilities.ts';
import type { CapturedWebhook, ProviderTestHarness } from './contract.ts';

export const ALIPAY_TEST_APP_ID = '2021000000000042';

/** Alipay against the shared contract: see alipay-provider.test.ts for what it does instead of the rest. */
export const ALIPAY_CAPABILITIES: ProviderCapabilities = {
  alipayOnRequest: false,
  threeDecimalCurrencies: false,
  // A failed attempt in the cashier is not notified: the trade just stays WAIT_BUYER_PAY.
  reportsDeclines: false,
  // Notifications carry notify_time but no signed freshness rule; replays are de-duplicated by notify_id.
  signatureAge: false,
  refundsRemainderWithoutAmount: false,
  // Refund notifications carry only the cumulative refund_fee.
  refundWebhooks: false,
  riskLevel: false,
  secretRotation: false,
  merchantAccountInEvents: true,
};

export function alipayConfigFor(
  double: AlipayDouble,
  appKeys: RsaKeyPair,
  notifyUrl: string,
  over: Partial<PaymentProvidersConfig> = {},
): PaymentProvidersConfig {
  return {
    PAYMENT_PROVIDERS: ['alipay'],
    PAYMENT_RETURN_URL: 'https://tollgate.test/pay/return',
    STRIPE_SECRET_KEY: undefined,
    STRIPE_PUBLISHABLE_KEY: undefined,
    STRIPE_WEBHOOK_SECRETS: [],
    STRIPE_WEBHOOK_TOLERANCE_SECONDS: 300,
    STRIPE_API_BASE: undefined,
    STRIPE_CHECKOUT_MODE: 'payment_intent',
    ALIPAY_APP_ID: ALIPAY_TEST_APP_ID,
    ALIPAY_APP_PRIVATE_KEY: appKeys.privateKeyPem,
    ALIPAY_PUBLIC_KEY: double.keys.publicKeyPem,
    ALIPAY_GATEWAY_URL: double.gatewayUrl,
    ALIPAY_NOTIFY_URL: notifyUrl,
    ALIPAY_SELLER_ID: double.sellerId,
    ...over,
  };
}

export const alipayProviderFrom = (config: PaymentProvidersConfig): PaymentProvider =>
  createPaymentProviders(config).get('alipay') as PaymentProvider;

const paramsOf = (w: CapturedWebhook): Record<string, string> =>
  Object.fromEntries(new URLSearchParams(w.rawBody.toString('utf8')));

const amountText = (amountMinor: bigint, currency: string): string => {
  const digits = currencyExponent(currency);
  const [int, frac = ''] = toDecimalString(amountMinor, digits).split('.');
  return digits ? `${int}.${frac.padEnd(digits, '0')}` : (int as string);
};

export async function makeAlipayHarness(): Promise<
  ProviderTestHarness & { double: AlipayDouble; appKeys: RsaKeyPair; notifyUrl: string; sdk: () => AlipaySdk }
> {
  const receiver = await startNotifyReceiver();
  const appKeys = generateRsaKeyPair();
  const double = await AlipayDouble.start({
    appId: ALIPAY_TEST_APP_ID,
    appPublicKeyPem: appKeys.publicKeyPem,
    notifyRetryDelaysMs: [5, 10, 20],
  });
  const provider = alipayProviderFrom(alipayConfigFor(double, appKeys, receiver.url));
  const signed = (params: Record<string, string>, keyPem = double.keys.privateKeyPem): CapturedWebhook => ({
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    rawBody: formBody(signNotification(params, keyPem)),
  });
  const unsupported = (what: string) => () => {
    throw new Error(`Alipay has no ${what}`);
  };

  return {
    double,
    appKeys,
    notifyUrl: receiver.url,
    /** The official SDK configured as our provider is, to check what it alone would accept. */
    sdk: () =>
      new AlipaySdk({
        appId: ALIPAY_TEST_APP_ID,
        privateKey: appKeys.privateKeyPem,
        keyType: 'PKCS8',
        alipayPublicKey: double.keys.publicKeyPem,
        gateway: double.gatewayUrl,
      }),
    provider,
    currency: 'CNY',
    validAmountMinor: 1500n,
    tooSmallAmountMinor: 0n,
    tooLargeAmountMinor: 10_000_000_001n,
    offeredMethods: ['alipay'],
    unknownTxnId: '2099010122001499999999999999',
    async customerPays(created, outcome) {
      if (outcome === 'decline') throw new Error('Alipay does not report declines');
      double.buyerPays(created.providerTxnId);
    },
    async deliveredWebhooks() {
      await double.notifier.flush();
      return [...receiver.received];
    },
    setDuplicateDelivery(on) {
      double.notifier.switches.duplicate = on;
    },
    resign(w, how) {
      if (how === 'stale') throw new Error('Alipay notifications have no signed timestamp');
      return signed(paramsOf(w), generateRsaKeyPair().privateKeyPem);
    },
    unsigned(w) {
      const { sign: _sign, ...rest } = paramsOf(w);
      return { headers: w.headers, rawBody: formBody(rest) };
    },
    tamper(w, change) {
      const p = paramsOf(w);
      const currency = change.currency ?? p.trans_currency ?? 'CNY';
      const originalMinor = fromDecimal(p.total_amount ?? '', p.trans_currency ?? 'CNY');
      if (change.providerTxnId !== undefined) p.trade_no = change.providerTxnId;
      if (change.currency !== undefined) p.trans_currency = change.currency;
      if (change.amountMinor !== undefined || change.currency !== undefined) {
        // The same minor units in the new currency when only the currency changes (as Stripe's integers do).
        const minor = change.amountMinor ?? originalMinor;
        for (const k of ['total_amount', 'receipt_amount', 'buyer_pay_amount', 'invoice_amount'])
          p[k] = amountText(minor, currency);
      }
      if (change.merchantAppId !== undefined) {
        p.app_id = change.merchantAppId;
        p.auth_app_id = change.merchantAppId;
      }
      p.notify_id = randomBytes(16).toString('hex');
      // Signed with Alipay's own key: the signature is valid, as for any app's notification.
      return signed(p);
    },
    startSecretRotation: unsupported('webhook secret rotation'),
    finishSecretRotation: unsupported('webhook secret rotation'),
    async close() {
      await double.close();
      await receiver.close();
    },
  };
}
