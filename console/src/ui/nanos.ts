/**
 * Nano amounts (10^-9 of the major unit: wallets, credits, prices) typed and shown by people. Parsed and
 * formatted with BigInt only: a credit of 0.000000001 or of 9,007,199.254740993 stays exact.
 */
const NANO_DIGITS = 9;

/**
 * "12.50" (major units, at most 9 decimals) → "12500000000". `signed` also accepts a leading minus (wallet
 * adjustments). null when the text is not such an amount.
 */
export function parseMajorToNanos(text: string, opts: { signed?: boolean } = {}): string | null {
  // At most 9 whole digits: 999,999,999.999999999 major units still fit a signed 64-bit nano amount.
  const m = /^\s*(-?)(\d{1,9})(?:\.(\d{0,9}))?\s*$/.exec(text);
  if (!m) return null;
  if (m[1] === '-' && !opts.signed) return null;
  const v = BigInt(m[2]!) * 10n ** BigInt(NANO_DIGITS) + BigInt((m[3] ?? '').padEnd(NANO_DIGITS, '0'));
  return (m[1] === '-' ? -v : v).toString();
}

/** "2500" nanos → "0.0000025": every digit kept, trailing zeros dropped (prices per token are tiny). */
export function formatNanosExact(amount: string): string {
  let v = BigInt(amount);
  const neg = v < 0n;
  if (neg) v = -v;
  const base = 10n ** BigInt(NANO_DIGITS);
  const frac = (v % base).toString().padStart(NANO_DIGITS, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${v / base}${frac ? `.${frac}` : ''}`;
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

/** "12500000000" → "12.5": the exact major amount, as a person would type it back into a form. */
export const nanosToMajorText = formatNanosExact;
