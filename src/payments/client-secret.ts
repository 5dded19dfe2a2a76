import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The provider's client secret (Stripe: `pi_…_secret_…`) lets whoever holds it confirm the payment
 * and read it, so it is shown once, to the client that created the top-up, and never stored: the
 * payment keeps only its SHA-256 digest. The digest is how the hosted pages recognise the browser
 * that started the payment (`/pay/<id>/status`); a replayed createTopUp reads the secret again
 * from the provider. The secret is 100+ random characters, so an unsalted digest cannot be reversed.
 */
export const clientSecretDigest = (secret: string): string =>
  createHash('sha256').update(secret, 'utf8').digest('hex');

/** Whether `presented` is the secret whose digest the payment stored. Constant time. */
export function isClientSecret(storedDigest: unknown, presented: string | undefined): boolean {
  if (typeof storedDigest !== 'string' || !presented) return false;
  const a = Buffer.from(storedDigest, 'hex');
  const b = Buffer.from(clientSecretDigest(presented), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A secret of our own for a provider that hands none (Alipay): the hosted page needs one to read
 * the payment's state. 256 random bits, so its unsalted digest is as safe to store as Stripe's.
 */
export const newPageSecret = (): string => `ps_${randomBytes(32).toString('base64url')}`;
