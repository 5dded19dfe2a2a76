import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError } from '../errors.ts';

/**
 * Stripe webhook signature check (docs.stripe.com/webhooks#verify-manually), written out rather
 * than delegated to the SDK so that several secrets can be accepted during a rotation:
 *   Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…][,v0=<hex>]
 *   v1 = hex(HMAC-SHA256(key = the whole "whsec_…" string, msg = t + "." + raw body))
 * Any v1 matching any configured secret passes; other schemes (the test-mode v0) are ignored.
 * Only timestamps older than the tolerance are refused, as the SDK does; `toleranceSeconds = 0`
 * turns the age check off.
 */
export function verifyStripeSignature(opts: {
  header: string | undefined;
  rawBody: Buffer;
  secrets: readonly string[];
  toleranceSeconds: number;
  nowMs: number;
}): { timestamp: number } {
  const { header, rawBody, secrets } = opts;
  if (!header || header.trim() === '') throw new WebhookSignatureError('Missing Stripe-Signature header');
  if (rawBody.length === 0) throw new WebhookSignatureError('Empty webhook body');
  if (secrets.length === 0) throw new WebhookSignatureError('No webhook signing secret configured');

  let timestamp: number | undefined;
  const v1: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d+$/.test(value) || timestamp !== undefined) {
        throw new WebhookSignatureError('Malformed Stripe-Signature timestamp');
      }
      timestamp = Number(value);
    } else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) {
      v1.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined) throw new WebhookSignatureError('Stripe-Signature has no timestamp');
  if (v1.length === 0) throw new WebhookSignatureError('Stripe-Signature has no v1 signature');

  const signed = Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), rawBody]);
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(signed).digest();
    // Check every candidate without early exit so timing does not reveal which one matched.
    for (const candidate of v1) {
      if (timingSafeEqual(expected, candidate)) matched = true;
    }
  }
  if (!matched)
    throw new WebhookSignatureError('No Stripe-Signature v1 signature matches a configured secret');

  const ageSeconds = Math.floor(opts.nowMs / 1000) - timestamp;
  if (opts.toleranceSeconds > 0 && ageSeconds > opts.toleranceSeconds) {
    throw new WebhookSignatureError(
      `Stripe-Signature timestamp is ${ageSeconds}s old (tolerance ${opts.toleranceSeconds}s)`,
    );
  }
  return { timestamp };
}
