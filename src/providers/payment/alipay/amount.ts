import {
  currencyExponent,
  InvalidAmountError,
  parseCurrency,
  toDecimalString,
  UnsupportedCurrencyError,
} from '../../../lib/money.ts';
import { AmountTooLargeError, AmountTooSmallError } from '../errors.ts';
import type { MoneyLike } from '../types.ts';

/**
 * Alipay's amount rules for a domestic merchant app: CNY only, `total_amount` in yuan as a decimal
 * string with at most two decimals, from 0.01 to 100,000,000.00 (opendocs alipay.trade.precreate).
 * Our amounts are integer fen; these two functions are the only bridge.
 */
export const ALIPAY_CURRENCY = 'CNY';
export const ALIPAY_AMOUNT_MIN_FEN = 1n;
export const ALIPAY_AMOUNT_MAX_FEN = 10_000_000_000n;

/**
 * Checks that Alipay would accept `amount` as a charge.
 * @throws UnsupportedCurrencyError (anything but CNY), AmountTooSmallError, AmountTooLargeError, InvalidAmountError
 */
export function assertAlipayChargeable(amount: MoneyLike): void {
  if (typeof amount.amountMinor !== 'bigint') throw new InvalidAmountError('amountMinor must be a bigint');
  if (parseCurrency(amount.currency) !== ALIPAY_CURRENCY) throw new UnsupportedCurrencyError(amount.currency);
  if (amount.amountMinor < ALIPAY_AMOUNT_MIN_FEN)
    throw new AmountTooSmallError(ALIPAY_CURRENCY, amount.amountMinor, ALIPAY_AMOUNT_MIN_FEN);
  if (amount.amountMinor > ALIPAY_AMOUNT_MAX_FEN)
    throw new AmountTooLargeError(
      ALIPAY_CURRENCY,
      amount.amountMinor,
      "exceeds Alipay's maximum of 100,000,000.00 CNY",
    );
}

/** 1234n → "12.34"; 100n → "1.00" (Alipay expects two decimals). */
export function toYuan(amountFen: bigint): string {
  if (amountFen < 0n) throw new InvalidAmountError('Alipay amounts are never negative');
  const [int, frac = ''] = toDecimalString(amountFen, 2).split('.');
  return `${int}.${frac.padEnd(2, '0')}`;
}

/**
 * A decimal string from Alipay ("12.34", "12.3", "12") in `currency` → integer minor units, exactly.
 * @throws InvalidAmountError for anything else (a sign, an exponent, more decimals than the currency has).
 */
export function fromDecimal(value: string, currency: string = ALIPAY_CURRENCY): bigint {
  const digits = currencyExponent(parseCurrency(currency));
  const m = /^(\d{1,15})(?:\.(\d+))?$/.exec(value);
  const frac = m?.[2] ?? '';
  if (!m || frac.length > digits)
    throw new InvalidAmountError(`'${value}' is not an amount of ${currency}`, { currency });
  return BigInt(m[1] as string) * 10n ** BigInt(digits) + BigInt(frac.padEnd(digits, '0') || '0');
}
