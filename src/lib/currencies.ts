/**
 * Currency exponents and exact decimal text: pure, with no import, so the console (console/src/ui/money.ts)
 * formats with the very table the gateway charges by.
 */

/** An exact decimal string of value / 10^digits ("1234", 3 → "1.234"; no float on the way). */
export function toDecimalString(value: bigint, digits: number): string {
  const neg = value < 0n;
  const abs = neg ? -value : value;
  const scale = 10n ** BigInt(digits);
  const int = abs / scale;
  const frac = digits ? (abs % scale).toString().padStart(digits, '0').replace(/0+$/, '') : '';
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
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
