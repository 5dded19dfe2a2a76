import { createHmac, randomBytes } from 'node:crypto';

/**
 * Signs a webhook body the way Stripe does: one `v1` per active endpoint secret (two during a
 * rotation), plus the dummy `v0` that test mode adds. Independent of the provider's verifier on
 * purpose, so the two cannot share a bug; test/unit/providers cross-checks both against the SDK.
 */
export function stripeSignatureHeader(opts: {
  payload: string | Buffer;
  secrets: readonly string[];
  timestampSeconds: number;
  withV0?: boolean;
}): string {
  const body = typeof opts.payload === 'string' ? Buffer.from(opts.payload, 'utf8') : opts.payload;
  const signedPayload = Buffer.concat([Buffer.from(`${opts.timestampSeconds}.`), body]);
  const parts = [`t=${opts.timestampSeconds}`];
  for (const secret of opts.secrets) {
    parts.push(`v1=${createHmac('sha256', secret).update(signedPayload).digest('hex')}`);
  }
  if (opts.withV0 ?? true) parts.push(`v0=${randomBytes(32).toString('hex')}`);
  return parts.join(',');
}

export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64url')}`;
