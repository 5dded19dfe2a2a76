/**
 * Amounts arrive as decimal strings (the BigInt scalar) in NANO (10^-9 of the major unit: wallets, usage)
 * or MINOR units (payments). They are formatted with BigInt arithmetic, never through a float, so a
 * balance of 9,007,199.254740993 shows exactly.
 */
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

export function minorDigits(currency: string): number {
  return ZERO_DECIMAL.has(currency.toUpperCase()) ? 0 : 2;
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
      : formatUnits(m.amount, 9, opts.digits ?? Math.max(minor, 4));
  return `${text} ${m.currency}`;
}

/** "12.34" in the currency's major unit → minor units as a decimal string; null when not a valid amount. */
export function parseMajorToMinor(text: string, currency: string): string | null {
  const digits = minorDigits(currency);
  const m = /^\s*(\d{1,12})(?:\.(\d*))?\s*$/.exec(text);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > digits) return null;
  return (BigInt(m[1]!) * 10n ** BigInt(digits) + BigInt(frac.padEnd(digits, '0') || '0')).toString();
}
