/**
 * Amounts arrive as decimal strings (the BigInt scalar) in NANO (10^-9 of the major unit: wallets, credits,
 * prices, usage) or MINOR units (payments). They are parsed and formatted with BigInt arithmetic, never
 * through a float, so a balance of 9,007,199.254740993 shows exactly. The currency exponents are the
 * gateway's own table.
 */
import { CURRENCY_EXPONENTS, toDecimalString } from '../../../src/lib/currencies.ts';

const NANO_DIGITS = 9;

/** Decimals of the currency's minor unit (JPY 0, USD 2, BHD 3); 2 for a code the gateway does not know. */
export function minorDigits(currency: string): number {
  return CURRENCY_EXPONENTS.get(currency.toUpperCase()) ?? 2;
}

function groupThousands(s: string): string {
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1234567890" NANO USD with 4 decimals → "1.2346" (rounded half away from zero). */
export function formatUnits(amount: string, scaleDigits: number, shownDigits: number): string {
  let v = BigInt(amount);
  const neg = v < 0n;
  if (neg) v = -v;
  const drop = scaleDigits - shownDigits;
  if (drop > 0) {
    const div = 10n ** BigInt(drop);
    v = (v + div / 2n) / div;
  }
  const digits = Math.min(shownDigits, scaleDigits);
  const base = 10n ** BigInt(digits);
  const whole = groupThousands((v / base).toString());
  const frac = digits > 0 ? `.${(v % base).toString().padStart(digits, '0')}` : '';
  return `${neg ? '-' : ''}${whole}${frac}`;
}

export interface MoneyLike {
  amount: string;
  currency: string;
  unit: 'NANO' | 'MINOR';
}

/** A Money value for people: "12.34 USD"; nano amounts keep 4 decimals (usage costs are small). */
export function formatMoney(m: MoneyLike, opts: { digits?: number } = {}): string {
  const minor = minorDigits(m.currency);
  const text =
    m.unit === 'MINOR'
      ? formatUnits(m.amount, minor, minor)
      : formatUnits(m.amount, NANO_DIGITS, opts.digits ?? Math.max(minor, 4));
  return `${text} ${m.currency}`;
}

/**
 * Major units typed by a person ("12.50", at most `digits` decimals and `wholeDigits` whole digits, a
 * leading minus only when `signed`) → the integer in 10^-digits units as a decimal string; null otherwise.
 */
function parseMajor(text: string, digits: number, wholeDigits: number, signed = false): string | null {
  const m = new RegExp(`^\\s*(-?)(\\d{1,${wholeDigits}})(?:\\.(\\d*))?\\s*$`).exec(text);
  if (!m || (m[1] === '-' && !signed)) return null;
  const frac = m[3] ?? '';
  if (frac.length > digits) return null;
  const v = BigInt(m[2]!) * 10n ** BigInt(digits) + BigInt(frac.padEnd(digits, '0') || '0');
  return (m[1] === '-' ? -v : v).toString();
}

/** "12.34" in the currency's major unit → minor units as a decimal string; null when not a valid amount. */
export function parseMajorToMinor(text: string, currency: string): string | null {
  return parseMajor(text, minorDigits(currency), 12);
}

/**
 * "12.50" (major units, at most 9 decimals) → "12500000000" nanos. `signed` also accepts a leading minus
 * (wallet adjustments). At most 9 whole digits: 999,999,999.999999999 still fits a signed 64-bit amount.
 */
export function parseMajorToNanos(text: string, opts: { signed?: boolean } = {}): string | null {
  return parseMajor(text, NANO_DIGITS, 9, opts.signed);
}

/**
 * "2500" nanos → "0.0000025": every digit kept, trailing zeros dropped (prices per token are tiny), as a
 * person would type it back into a form.
 */
export function formatNanosExact(amount: string): string {
  return toDecimalString(BigInt(amount), NANO_DIGITS);
}

/** Nanos per token → the major-unit price of a million tokens, exactly ("2500" → "2.5"). */
export function perMillionTokens(nanosPerToken: string): string {
  return formatNanosExact((BigInt(nanosPerToken) * 1_000_000n).toString());
}

/** A non-negative integer typed in a field ("1000000"), as the decimal string the BigInt scalar takes. */
export function parseWholeNumber(text: string): string | null {
  const m = /^\s*(\d{1,19})\s*$/.exec(text);
  return m ? BigInt(m[1]!).toString() : null;
}
