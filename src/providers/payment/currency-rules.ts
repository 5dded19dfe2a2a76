import {
  currencyExponent,
  InvalidAmountError,
  parseCurrency,
  UnsupportedCurrencyError,
} from '../../lib/money.ts';
import { AmountTooLargeError, AmountTooSmallError } from './errors.ts';
import type { MoneyLike } from './types.ts';

/**
 * Stripe's currency rules (docs.stripe.com/currencies), checked before any provider call so that a
 * bad amount never costs a round trip. Our amounts use the ISO 4217 exponent of the shared table in
 * `src/lib/money.ts`; Stripe differs for one currency, ISK, which it treats as two-decimal with
 * amounts divisible by 100. `toStripeAmount`/`fromStripeAmount` are the only place that difference
 * is bridged.
 */

/** Currencies Stripe accepts as presentment currency (a subset of the ISO table). */
const STRIPE_CURRENCIES = new Set(
  (
    'USD AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BWP BYN BZD CAD ' +
    'CDF CHF CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ETB EUR FJD FKP GBP GEL GIP GMD GNF GTQ GYD HKD HNL ' +
    'HTG HUF IDR ILS INR ISK JMD JOD JPY KES KGS KHR KMF KRW KWD KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD ' +
    'MMK MNT MOP MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD ' +
    'RUB RWF SAR SBD SCR SEK SGD SHP SLE SOS SRD SZL THB TJS TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VND ' +
    'VUV WST XAF XCD XOF XPF YER ZAR ZMW'
  ).split(' '),
);

/** Where Stripe's minor unit differs from ISO 4217. */
const STRIPE_EXPONENT_OVERRIDES: ReadonlyMap<string, number> = new Map([['ISK', 2]]);

/**
 * Stripe's minimum charge, in Stripe minor units (Stripe's table as copied in pronamic/memberpress
 * `minimum_charge_amounts.php`). Other currencies: Stripe's own `amount_too_small` check decides
 * (about USD 0.50 equivalent in the settlement currency).
 */
const MINIMUM_CHARGE_STRIPE_MINOR: ReadonlyMap<string, bigint> = new Map([
  ['USD', 50n],
  ['AUD', 50n],
  ['CAD', 50n],
  ['EUR', 50n],
  ['NZD', 50n],
  ['SGD', 50n],
  ['CHF', 50n],
  ['BRL', 50n],
  ['INR', 50n],
  ['GBP', 30n],
  ['HKD', 400n],
  ['JPY', 50n],
  ['MYR', 200n],
  ['AED', 200n],
  ['PLN', 200n],
  ['RON', 200n],
  ['DKK', 250n],
  ['NOK', 300n],
  ['SEK', 300n],
  ['CZK', 1500n],
  ['HUF', 17500n],
  ['MXN', 1000n],
  ['THB', 1000n],
]);

/** "Maximum is 8 digits", in Stripe minor units. */
export const STRIPE_AMOUNT_MAX = 99_999_999n;

/** Currencies Stripe can present Alipay in (docs.stripe.com/payments/alipay). */
const ALIPAY_CURRENCIES = new Set([
  'CNY',
  'AUD',
  'CAD',
  'EUR',
  'GBP',
  'HKD',
  'JPY',
  'SGD',
  'MYR',
  'NZD',
  'USD',
]);

/** Upper-cases and checks that Stripe can charge in `currency`. @throws UnsupportedCurrencyError */
export function parseStripeCurrency(currency: string): string {
  const c = parseCurrency(currency);
  if (!STRIPE_CURRENCIES.has(c)) throw new UnsupportedCurrencyError(currency);
  return c;
}

const scale = (currency: string): bigint => {
  const c = parseStripeCurrency(currency);
  const stripeExp = STRIPE_EXPONENT_OVERRIDES.get(c) ?? currencyExponent(c);
  return 10n ** BigInt(stripeExp - currencyExponent(c));
};

/** Our minor units → Stripe's minor units (differs for ISK only). */
export function toStripeAmount(amountMinor: bigint, currency: string): bigint {
  return amountMinor * scale(currency);
}

/** Stripe's minor units → ours. @throws InvalidAmountError if Stripe sent a fraction of our unit. */
export function fromStripeAmount(stripeMinor: bigint, currency: string): bigint {
  const s = scale(currency);
  if (stripeMinor % s !== 0n) {
    throw new InvalidAmountError(
      `Stripe amount ${stripeMinor} ${currency} is not a whole number of our minor units`,
    );
  }
  return stripeMinor / s;
}

export function minimumChargeMinor(currency: string): bigint {
  const c = parseStripeCurrency(currency);
  const stripeMin = MINIMUM_CHARGE_STRIPE_MINOR.get(c) ?? 1n;
  const s = scale(c);
  return (stripeMin + s - 1n) / s;
}

export function supportsAlipay(currency: string): boolean {
  return ALIPAY_CURRENCIES.has(currency.trim().toUpperCase());
}

/**
 * Checks that Stripe would accept `amount` (our minor units) as a charge.
 * @throws UnsupportedCurrencyError, AmountTooSmallError, AmountTooLargeError, InvalidAmountError
 */
export function assertChargeable(amount: MoneyLike): void {
  if (typeof amount.amountMinor !== 'bigint') throw new InvalidAmountError('amountMinor must be a bigint');
  const currency = parseStripeCurrency(amount.currency);
  const minor = amount.amountMinor;
  const minimum = minimumChargeMinor(currency);
  if (minor < minimum) throw new AmountTooSmallError(currency, minor, minimum);
  const stripeMinor = toStripeAmount(minor, currency);
  if (stripeMinor > STRIPE_AMOUNT_MAX) {
    throw new AmountTooLargeError(currency, minor, `exceeds Stripe's 8-digit maximum (${STRIPE_AMOUNT_MAX})`);
  }
  // ISK must be divisible by 100 in Stripe's units: guaranteed by toStripeAmount's ×100.
  if (currencyExponent(currency) === 3 && minor % 10n !== 0n) {
    throw new InvalidAmountError(`Amount ${minor} ${currency} must end in 0 (Stripe three-decimal rule)`, {
      currency,
    });
  }
}
