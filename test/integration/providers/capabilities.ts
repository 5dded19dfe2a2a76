/**
 * What a provider does, where providers differ; the contract holds each to the rules that apply.
 * Stripe's by default. A rule a provider does not have is not run for it, and its own tests cover
 * what it does instead (test/integration/providers/alipay-provider.test.ts).
 */
export interface ProviderCapabilities {
  /** Offers Alipay next to cards when asked and the currency allows (Stripe). */
  readonly alipayOnRequest: boolean;
  /** Charges three-decimal currencies (KWD), refusing amounts not ending in 0. */
  readonly threeDecimalCurrencies: boolean;
  /** Reports a declined attempt (payment.failed) and the last error on query. */
  readonly reportsDeclines: boolean;
  /** Signatures carry a timestamp checked against a tolerance. */
  readonly signatureAge: boolean;
  /** `refund` with `amountMinor: null` refunds the remainder. */
  readonly refundsRemainderWithoutAmount: boolean;
  /** Each refund is reported by a webhook of its own carrying its amount. */
  readonly refundWebhooks: boolean;
  /** `query` reports a risk level. */
  readonly riskLevel: boolean;
  /** Webhook secrets rotate with an overlap. */
  readonly secretRotation: boolean;
  /** Events name the merchant account they are for, which the signature does not bind (Alipay). */
  readonly merchantAccountInEvents: boolean;
}

export const STRIPE_CAPABILITIES: ProviderCapabilities = {
  alipayOnRequest: true,
  threeDecimalCurrencies: true,
  reportsDeclines: true,
  signatureAge: true,
  refundsRemainderWithoutAmount: true,
  refundWebhooks: true,
  riskLevel: true,
  secretRotation: true,
  merchantAccountInEvents: false,
};
