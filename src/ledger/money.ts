import { AppError } from '../lib/errors.ts';

/**
 * Units. Payment amounts are integers in the currency's minor unit (exponent below); wallet
 * balances, holds and usage costs are integers in nano-units, 10^9 per major unit, whatever the
 * currency. `minorToNanos`/`nanosToMinor` are the only conversions between the two. No floats.
 */
export const NANOS_PER_MAJOR = 1_000_000_000n;

/** The largest amount one posting, hold or settle may move: 10^15 nanos = 1,000,000 major units. */
export const POSTING_NANOS_MAX = 10n ** 15n;

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

export class CurrencyMismatchError extends AppError {
  constructor(a: string, b: string) {
    super('CURRENCY_MISMATCH', `Cannot combine ${a} and ${b}`, { status: 400, details: { a, b } });
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

/**
 * An amount of one currency, held in nano-units. Built only through the factories, which check
 * the currency and that the value is an integer that fits a PostgreSQL BIGINT.
 */
export class Money {
  private constructor(
    readonly amountNanos: bigint,
    readonly currency: string,
  ) {}

  /** The range of a PostgreSQL BIGINT column, where every amount ends up. */
  static readonly NANOS_ABS_MAX = 2n ** 63n - 1n;

  static ofNanos(amountNanos: bigint, currency: string): Money {
    if (typeof amountNanos !== 'bigint') throw new InvalidAmountError('Amount must be an integer (bigint)');
    if (amountNanos > Money.NANOS_ABS_MAX || amountNanos < -Money.NANOS_ABS_MAX)
      throw new InvalidAmountError('Amount is out of range', { amountNanos: amountNanos.toString() });
    return new Money(amountNanos, parseCurrency(currency));
  }

  static ofMinor(amountMinor: bigint, currency: string): Money {
    if (typeof amountMinor !== 'bigint') throw new InvalidAmountError('Amount must be an integer (bigint)');
    const c = parseCurrency(currency);
    return Money.ofNanos(minorToNanos(amountMinor, c), c);
  }

  static zero(currency: string): Money {
    return Money.ofNanos(0n, currency);
  }

  toMinor(rounding: Rounding = 'exact'): bigint {
    return nanosToMinor(this.amountNanos, this.currency, rounding);
  }

  plus(other: Money): Money {
    this.sameCurrency(other);
    return Money.ofNanos(this.amountNanos + other.amountNanos, this.currency);
  }

  minus(other: Money): Money {
    this.sameCurrency(other);
    return Money.ofNanos(this.amountNanos - other.amountNanos, this.currency);
  }

  negate(): Money {
    return new Money(-this.amountNanos, this.currency);
  }

  isZero(): boolean {
    return this.amountNanos === 0n;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.amountNanos === other.amountNanos;
  }

  /** `USD 12.345000000` — exact decimal text in major units, for logs and messages. */
  toString(): string {
    const neg = this.amountNanos < 0n;
    const abs = neg ? -this.amountNanos : this.amountNanos;
    const frac = (abs % NANOS_PER_MAJOR).toString().padStart(9, '0');
    return `${this.currency} ${neg ? '-' : ''}${abs / NANOS_PER_MAJOR}.${frac}`;
  }

  private sameCurrency(other: Money) {
    if (other.currency !== this.currency) throw new CurrencyMismatchError(this.currency, other.currency);
  }
}

/**
 * Checks an amount to be posted: a bigint, within (0, POSTING_NANOS_MAX], or [0, max] when zero is
 * allowed (settle of a request that cost nothing), or non-zero in ±max when signed (adjustments).
 */
export function checkPostingAmount(
  amountNanos: bigint,
  opts: { allowZero?: boolean; signed?: boolean; param?: string } = {},
): bigint {
  const name = opts.param ?? 'amountNanos';
  if (typeof amountNanos !== 'bigint') throw new InvalidAmountError(`${name} must be a bigint`);
  const abs = amountNanos < 0n ? -amountNanos : amountNanos;
  if (abs > POSTING_NANOS_MAX)
    throw new InvalidAmountError(`${name} exceeds the maximum of ${POSTING_NANOS_MAX} nanos per posting`, {
      amountNanos: amountNanos.toString(),
      maxNanos: POSTING_NANOS_MAX.toString(),
    });
  if (amountNanos < 0n && !opts.signed)
    throw new InvalidAmountError(`${name} must not be negative`, { amountNanos: amountNanos.toString() });
  if (amountNanos === 0n && !opts.allowZero)
    throw new InvalidAmountError(`${name} must not be zero`, { amountNanos: '0' });
  return amountNanos;
}
