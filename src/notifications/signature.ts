import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names on every webhook delivery. */
export const WEBHOOK_HEADERS = {
  signature: 'tollgate-signature',
  eventId: 'tollgate-event-id',
  eventType: 'tollgate-event-type',
} as const;

export function webhookSignatureHex(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
}

/**
 * `Tollgate-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…]`, Stripe's scheme: v1 = hex(HMAC-SHA256(key =
 * the whole secret string, msg = t + "." + raw body)); one v1 per secret still valid (during a
 * rotation both the new and the old secret sign).
 */
export function signWebhook(secrets: readonly string[], timestampSeconds: number, body: string): string {
  return [
    `t=${timestampSeconds}`,
    ...secrets.map((s) => `v1=${webhookSignatureHex(s, timestampSeconds, body)}`),
  ].join(',');
}

/**
 * What a receiver does (exported for the test double and for customers' reference): true when any
 * v1 matches the secret and the timestamp is within `toleranceSeconds` of now.
 */
export function verifyWebhookSignature(opts: {
  header: string | undefined;
  body: string;
  secret: string;
  toleranceSeconds: number;
  nowMs: number;
}): boolean {
  if (!opts.header) return false;
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of opts.header.split(',')) {
    const [k, v] = part.split('=', 2).map((x) => x.trim());
    if (k === 't' && v && /^\d+$/.test(v)) t = Number(v);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)) v1.push(v);
  }
  if (t === undefined || Math.abs(opts.nowMs / 1000 - t) > opts.toleranceSeconds) return false;
  const expected = Buffer.from(webhookSignatureHex(opts.secret, t, opts.body), 'hex');
  return v1.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}
