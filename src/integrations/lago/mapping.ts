import { NANOS_PER_MAJOR, currencyExponent, toDecimalString } from '../../lib/money.ts';

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
