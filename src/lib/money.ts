import { AppError } from './errors.ts';

/**
 * Units. Payment amounts are integers in the currency's minor unit (exponent below); wallet
 * balances, holds and usage costs are integers in nano-units, 10^9 per major unit, whatever the
 * currency. `minorToNanos`/`nanosToMinor` are the only conversions between the two. No floats.
 */
export const NANOS_PER_MAJOR = 1_000_000_000n;

/** An exact decimal string of value / 10^digits ("1234", 3 → "1.234"; no float on the way). */
export function toDecimalString(value: bigint, digits: number): string {
  const neg = value < 0n;
  const abs = neg ? -value : value;
  const scale = 10n ** BigInt(digits);
  const int = abs / scale;
  const frac = digits ? (abs % scale).toString().padStart(digits, '0').replace(/0+$/, '') : '';
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** Nano-units → major units, exact ("0.000123", 1_500_000_000n → "1.5"). */
export function nanosToMajorDecimal(nanos: bigint): string {
  return toDecimalString(nanos, 9);
}

const ZERO_DECIMAL = 'BIF CLP DJF GNF ISK JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF';
const THREE_DECIMAL = 'BHD IQD JOD KWD LYD OMR TND';
/** ISO 4217 active currencies (funds and precious-metal codes left out). */
const TWO_DECIMAL = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN
  BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ
  GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MKD MMK
  MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB
  SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD
  UYU UZS VES WST XCD YER ZAR ZMW ZWG`;

function table(codes: string, exponent: number): [string, number][] {
  return codes
    .split(/\s+/)
    .filter(Boolean)
    .map((c) => [c, exponent]);
}

/** Currency code → ISO 4217 minor-unit exponent. */
export const CURRENCY_EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...table(TWO_DECIMAL, 2),
  ...table(ZERO_DECIMAL, 0),
  ...table(THREE_DECIMAL, 3),
]);

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
