import { z } from 'zod';

/** The Stripe API version this integration is written and tested against. */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

export const stripeOptionsSchema = z.object({
  secretKey: z
    .string()
    .regex(
      /^(sk|rk)_(test|live)_\S+$/,
      'must be a Stripe secret or restricted key (sk_test_…, sk_live_…, rk_…)',
    ),
  publishableKey: z
    .string()
    .regex(/^pk_(test|live)_\S+$/, 'must be a Stripe publishable key (pk_test_… or pk_live_…)')
    .optional(),
  webhookSecrets: z
    .array(z.string().regex(/^whsec_\S+$/, 'each secret must start with whsec_'))
    .min(1, 'at least one webhook signing secret (whsec_…) is required')
    .max(5, 'at most 5 secrets (one current, the rest being rotated out)'),
  webhookToleranceSeconds: z.number().int().min(0).default(300),
  /** Override for tests: `http://127.0.0.1:12111`. */
  apiBase: z
    .string()
    .url()
    .refine((v) => ['http:', 'https:'].includes(new URL(v).protocol), 'must be http(s)')
    .optional(),
  checkoutMode: z.enum(['payment_intent', 'checkout_session']).default('payment_intent'),
  returnUrl: z.string().url().optional(),
  maxNetworkRetries: z.number().int().min(0).max(10).default(2),
  timeoutMs: z.number().int().min(1).default(30_000),
});

export type StripeOptionsInput = z.input<typeof stripeOptionsSchema>;
export type StripeOptions = z.output<typeof stripeOptionsSchema>;

/** Maps option fields to the environment variables they come from, for start-up error messages. */
export const stripeOptionEnvNames: Partial<Record<keyof StripeOptions, string>> = {
  secretKey: 'STRIPE_SECRET_KEY',
  publishableKey: 'STRIPE_PUBLISHABLE_KEY',
  webhookSecrets: 'STRIPE_WEBHOOK_SECRETS',
  webhookToleranceSeconds: 'STRIPE_WEBHOOK_TOLERANCE_SECONDS',
  apiBase: 'STRIPE_API_BASE',
  checkoutMode: 'STRIPE_CHECKOUT_MODE',
  returnUrl: 'PAYMENT_RETURN_URL',
};
