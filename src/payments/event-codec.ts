import type { Prisma } from '../generated/prisma/client.ts';
import type { NormalisedPaymentEvent } from '../providers/payment/types.ts';

/**
 * A normalised event as JSON, for the inbox (`provider_events.decoded`): the worker applies what
 * was verified at receipt, long after a signature's timestamp would still pass. Amounts (bigint)
 * and dates are tagged so they come back as the same types, never as floats or strings.
 */
export function encodeEvent(event: NormalisedPaymentEvent): Prisma.InputJsonValue {
  return encode(event) as Prisma.InputJsonValue;
}

export function decodeEvent(json: unknown): NormalisedPaymentEvent {
  return decode(json) as NormalisedPaymentEvent;
}

function encode(v: unknown): unknown {
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v instanceof Date) return { $date: v.toISOString() };
  if (Array.isArray(v)) return v.map(encode);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, encode(x)]),
    );
  return v;
}

function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$bigint === 'string') return BigInt(o.$bigint);
    if (typeof o.$date === 'string') return new Date(o.$date);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
  }
  return v;
}
