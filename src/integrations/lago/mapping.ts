import { NANOS_PER_MAJOR, currencyExponent } from '../../ledger/money.ts';

/**
 * Deterministic Lago identifiers and exact amount conversions. Lago keeps one currency per
 * customer, so Tollgate maps each (billing owner, currency) to its own Lago customer.
 */

export interface BillingOwner {
  ownerType: string;
  ownerId: string;
  currency: string;
}

export const LAGO_SYSTEM = 'lago';
export const LAGO_WALLET_CODE = 'tollgate_prepaid';

export function customerExternalId(owner: BillingOwner): string {
  return `${owner.ownerType}:${owner.ownerId}:${owner.currency.toUpperCase()}`;
}

export function subscriptionExternalId(customerExternalIdValue: string): string {
  return `${customerExternalIdValue}:usage`;
}

export function planCodeFor(template: string, currency: string): string {
  return template.replaceAll('{currency}', currency.toLowerCase());
}

/** An exact decimal string of value / 10^digits ("1234", 3 → "1.234"; no float on the way). */
export function toDecimalString(value: bigint, digits: number): string {
  const neg = value < 0n;
  const abs = neg ? -value : value;
  const scale = 10n ** BigInt(digits);
  const int = abs / scale;
  const frac = digits ? (abs % scale).toString().padStart(digits, '0').replace(/0+$/, '') : '';
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** Nano-units → major units ("0.000123"), exact. */
export function nanosToMajorDecimal(nanos: bigint): string {
  return toDecimalString(nanos, 9);
}

/** Nano-units → Lago `precise_total_amount_cents` (currency subunits, exact decimal). */
export function nanosToPreciseCents(nanos: bigint, currency: string): string {
  return toDecimalString(nanos, 9 - currencyExponent(currency));
}

/** Payment minor units → wallet credits at rate 1 (one credit = one major unit). */
export function minorToCredits(amountMinor: bigint, currency: string): string {
  return toDecimalString(amountMinor, currencyExponent(currency));
}

/** Lago's JSON integer fields (amount_cents): exact, or an error; the only bigint → number step. */
export function toJsonInteger(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`amount ${value} does not fit a JSON integer`);
  return Number(value);
}

export { NANOS_PER_MAJOR };
