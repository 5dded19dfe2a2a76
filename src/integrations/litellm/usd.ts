/**
 * LiteLLM keeps money as USD floats (max_budget, spend). Tollgate keeps nano-units. These are the
 * only conversions, used only at the LiteLLM boundary, and they go through decimal strings, never
 * through float arithmetic on our side.
 */
const NANOS_PER_USD = 1_000_000_000n;

/** 12345678900n → "12.345678900". */
export function nanosToUsdDecimal(nanos: bigint): string {
  const negative = nanos < 0n;
  const abs = negative ? -nanos : nanos;
  const whole = abs / NANOS_PER_USD;
  const frac = (abs % NANOS_PER_USD).toString().padStart(9, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/**
 * A USD amount that JSON-serialises as a bare number literal with the exact decimal digits
 * (`"max_budget": 12.345678900`), since LiteLLM expects a number and JSON.stringify would go
 * through a double.
 */
export class UsdAmount {
  constructor(readonly decimal: string) {
    if (!/^-?\d+(\.\d+)?$/.test(decimal)) throw new Error(`not a decimal: ${decimal}`);
  }
  static fromNanos(nanos: bigint): UsdAmount {
    return new UsdAmount(nanosToUsdDecimal(nanos));
  }
  toJSON(): string {
    return `\u0000usd:${this.decimal}\u0000`;
  }
}

/** JSON.stringify that writes UsdAmount values as exact number literals. */
export function stringifyWithUsd(body: unknown): string {
  return JSON.stringify(body).replace(/"\\u0000usd:(-?\d+(?:\.\d+)?)\\u0000"/g, '$1');
}

/**
 * A USD float reported by LiteLLM (spend) → nano-units, rounded half away from zero at the 9th
 * decimal. LiteLLM's spend is already a float sum, so this is as exact as the source.
 */
export function usdNumberToNanos(usd: number): bigint {
  if (!Number.isFinite(usd)) throw new Error('USD amount is not finite');
  const [whole, frac = ''] = Math.abs(usd).toFixed(9).split('.');
  const nanos = BigInt(whole!) * NANOS_PER_USD + BigInt(frac.padEnd(9, '0'));
  return usd < 0 ? -nanos : nanos;
}
