import {
  AmountTooLargeError,
  AmountTooSmallError,
  InvalidAmountError,
  UnsupportedCurrencyError,
} from './errors.ts';
import type { MoneyLike } from './types.ts';

/**
 * Card-network currency rules that Stripe enforces (docs.stripe.com/currencies), checked before any
 * provider call so that a bad amount never costs a round trip. Kept here because no shared money
 * module existed when this was written; move the exponent table to `src/lib/money.ts` once it does.
 */

/** Amount is in the major unit (exponent 0). */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);

/** Exponent 3, and Stripe requires the last digit to be 0. */
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** Two-decimal currencies Stripe accepts as presentment currency. */
const TWO_DECIMAL = new Set(
  (
    'USD AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BWP BYN BZD CAD CDF ' +
    'CHF CNY COP CRC CVE CZK DKK DOP DZD EGP ETB EUR FJD FKP GBP GEL GIP GMD GTQ GYD HKD HNL HTG HUF IDR ' +
    'ILS INR ISK JMD KES KGS KHR KYD KZT LAK LBP LKR LRD LSL MAD MDL MKD MMK MNT MOP MUR MVR MWK MXN MYR ' +
    'MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SEK SGD SHP SLE SOS ' +
    'SRD STD SZL THB TJS TOP TRY TTD TWD TZS UAH UYU UZS WST XCD YER ZAR ZMW'
  ).split(' '),
);

/**
 * Stripe's minimum charge per currency, in minor units (Stripe's table as copied in
 * pronamic/memberpress `minimum_charge_amounts.php`). Currencies not listed: Stripe's own
 * `amount_too_small` check decides (about USD 0.50 equivalent in the settlement currency).
 */
const MINIMUM_CHARGE_MINOR: ReadonlyMap<string, bigint> = new Map([
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

/** "Maximum is 8 digits" (minor units). */
export const MAX_AMOUNT_MINOR = 99_999_999n;

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

export function normaliseCurrency(currency: string): string {
  return currency.trim().toUpperCase();
}

export function isSupportedCurrency(currency: string): boolean {
  const c = normaliseCurrency(currency);
  return ZERO_DECIMAL.has(c) || TWO_DECIMAL.has(c) || THREE_DECIMAL.has(c);
}

/** Number of decimal places in the minor unit. @throws UnsupportedCurrencyError */
export function currencyExponent(currency: string): 0 | 2 | 3 {
  const c = normaliseCurrency(currency);
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  if (TWO_DECIMAL.has(c)) return 2;
  throw new UnsupportedCurrencyError(currency);
}

export function minimumChargeMinor(currency: string): bigint {
  return MINIMUM_CHARGE_MINOR.get(normaliseCurrency(currency)) ?? 1n;
}

export function supportsAlipay(currency: string): boolean {
  return ALIPAY_CURRENCIES.has(normaliseCurrency(currency));
}

/**
 * Checks that Stripe would accept `amount` as a charge.
 * @throws UnsupportedCurrencyError, AmountTooSmallError, AmountTooLargeError, InvalidAmountError
 */
export function assertChargeable(amount: MoneyLike): void {
  const currency = normaliseCurrency(amount.currency);
  if (!/^[A-Z]{3}$/.test(currency))
    throw new UnsupportedCurrencyError(amount.currency, 'is not an ISO 4217 code');
  const exponent = currencyExponent(currency);
  const minor = amount.amountMinor;
  const minimum = minimumChargeMinor(currency);
  if (minor < minimum) throw new AmountTooSmallError(currency, minor, minimum);
  if (minor > MAX_AMOUNT_MINOR) throw new AmountTooLargeError(currency, minor, `exceeds ${MAX_AMOUNT_MINOR}`);
  if (currency === 'ISK' && minor % 100n !== 0n) {
    throw new InvalidAmountError(currency, minor, 'must be divisible by 100 (ISK has no usable decimals)');
  }
  if (exponent === 3 && minor % 10n !== 0n) {
    throw new InvalidAmountError(currency, minor, 'must end in 0 (three-decimal currency)');
  }
}
