/**
 * Wallet, budget and cap amounts travel in NANO units (10^-9 of the major unit) as decimal strings. A
 * person types major units ("12.50"); the conversion is string and BigInt arithmetic, never a float.
 */
const NANO_DIGITS = 9;

/** "12.50" → "12500000000"; null when it is not a non-negative amount with at most 9 decimals. */
export function parseMajorToNanos(text: string): string | null {
  const m = /^\s*(\d{1,12})(?:\.(\d*))?\s*$/.exec(text);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > NANO_DIGITS) return null;
  return (
    BigInt(m[1]!) * 10n ** BigInt(NANO_DIGITS) +
    BigInt(frac.padEnd(NANO_DIGITS, '0') || '0')
  ).toString();
}

/** "12500000000" → "12.5": the exact major amount, as a person would type it back into a form. */
export function nanosToMajorText(nanos: string): string {
  let v = BigInt(nanos);
  const neg = v < 0n;
  if (neg) v = -v;
  const base = 10n ** BigInt(NANO_DIGITS);
  const frac = (v % base).toString().padStart(NANO_DIGITS, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${v / base}${frac ? `.${frac}` : ''}`;
}
