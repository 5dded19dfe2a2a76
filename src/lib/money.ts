import { CURRENCY_EXPONENTS, toDecimalString } from './currencies.ts';
import { AppError } from './errors.ts';

export { CURRENCY_EXPONENTS, toDecimalString };

/**
 * Units. Payment amounts are integers in the currency's minor unit (exponent: ./currencies.ts); wallet
 * balances, holds and usage costs are integers in nano-units, 10^9 per major unit, whatever the
 * currency. `minorToNanos`/`nanosToMinor` are the only conversions between the two. No floats.
 */
export const NANOS_PER_MAJOR = 1_000_000_000n;

/** Nano-units → major units, exact ("0.000123", 1_500_000_000n → "1.5"). */
export function nanosToMajorDecimal(nanos: bigint): string {
  return toDecimalString(nanos, 9);
}

export class UnsupportedCurrencyError extends AppError {
  constructor(currency: string, param = 'currency') {
    super('UNSUPPORTED_CURRENCY', `Currency '${currency}' is not supported`, {
      status: 400,
      param,
      details: { currency },
    });
  }
}

export class InvalidAmountError extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('INVALID_AMOUNT', message, { status: 400, param: 'amount', details });
  }
}

/** Upper-cases and checks a currency code against the table; throws UNSUPPORTED_CURRENCY. */
export function parseCurrency(code: string, param = 'currency'): string {
  const c = code.trim().toUpperCase();
  if (!CURRENCY_EXPONENTS.has(c)) throw new UnsupportedCurrencyError(code, param);
  return c;
}

export function currencyExponent(currency: string): number {
  const e = CURRENCY_EXPONENTS.get(currency);
  if (e === undefined) throw new UnsupportedCurrencyError(currency);
  return e;
}

function nanosPerMinor(currency: string): bigint {
  return 10n ** BigInt(9 - currencyExponent(currency));
}

/** Minor units (payment amounts) → nano-units (wallet amounts). Always exact. */
export function minorToNanos(amountMinor: bigint, currency: string): bigint {
  return amountMinor * nanosPerMinor(currency);
}

export type Rounding = 'exact' | 'floor' | 'ceil';

/**
 * Nano-units → minor units. `exact` throws INVALID_AMOUNT when the amount has sub-minor digits;
 * `floor`/`ceil` round toward -∞/+∞ (refund what is owed: floor; charge at least the cost: ceil).
 */
export function nanosToMinor(amountNanos: bigint, currency: string, rounding: Rounding = 'exact'): bigint {
  const unit = nanosPerMinor(currency);
  const q = amountNanos / unit;
  const r = amountNanos % unit;
  if (r === 0n) return q;
  if (rounding === 'exact')
    throw new InvalidAmountError(`${amountNanos} nanos is not a whole number of ${currency} minor units`);
  // BigInt division truncates toward zero.
  if (rounding === 'floor') return r < 0n ? q - 1n : q;
  return r > 0n ? q + 1n : q;
}
