import type { z } from 'zod';
import type { Config } from '../../config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { AlipayPaymentProvider } from './alipay/alipay-provider.ts';
import { alipayOptionEnvNames, alipayOptionsSchema } from './alipay/options.ts';
import { UnknownProviderError } from './errors.ts';
import { stripeOptionEnvNames, stripeOptionsSchema } from './stripe/options.ts';
import { StripePaymentProvider } from './stripe/stripe-provider.ts';
import type { PaymentProvider } from './types.ts';

/** The configuration a provider may read. Structural, so tests can pass a plain object. */
export type PaymentProvidersConfig = Pick<
  Config,
  | 'PAYMENT_PROVIDERS'
  | 'PAYMENT_RETURN_URL'
  | 'STRIPE_SECRET_KEY'
  | 'STRIPE_PUBLISHABLE_KEY'
  | 'STRIPE_WEBHOOK_SECRETS'
  | 'STRIPE_WEBHOOK_TOLERANCE_SECONDS'
  | 'STRIPE_API_BASE'
  | 'STRIPE_CHECKOUT_MODE'
> &
  // Optional so that a configuration without Alipay need not spell out its defaults.
  Partial<
    Pick<
      Config,
      | 'ALIPAY_APP_ID'
      | 'ALIPAY_APP_PRIVATE_KEY'
      | 'ALIPAY_PUBLIC_KEY'
      | 'ALIPAY_APP_CERT'
      | 'ALIPAY_PUBLIC_CERT'
      | 'ALIPAY_ROOT_CERT'
      | 'ALIPAY_SANDBOX'
      | 'ALIPAY_GATEWAY_URL'
      | 'ALIPAY_NOTIFY_URL'
      | 'ALIPAY_SELLER_ID'
      | 'ALIPAY_PAY_TIMEOUT_MINUTES'
      | 'ALIPAY_DEFAULT_PRESENTATION'
    >
  >;

export interface ProviderDeps {
  /** Epoch milliseconds; injected so webhook tolerance can be tested. */
  readonly clock?: () => number;
}

interface ProviderRegistration<S extends z.ZodType> {
  readonly schema: S;
  /** Which environment variable each option comes from, to name it when validation fails. */
  readonly envNames: Partial<Record<string, string>>;
  readonly fromConfig: (config: PaymentProvidersConfig) => z.input<S>;
  readonly create: (options: z.output<S>, deps: ProviderDeps) => PaymentProvider;
}

const register = <S extends z.ZodType>(r: ProviderRegistration<S>) => r;

/** Provider id → registration. Adding a provider = one folder + one line here + the contract test. */
export const paymentProviderRegistry = {
  stripe: register({
    schema: stripeOptionsSchema,
    envNames: stripeOptionEnvNames,
    fromConfig: (c) => ({
      secretKey: c.STRIPE_SECRET_KEY ?? '',
      publishableKey: c.STRIPE_PUBLISHABLE_KEY,
      webhookSecrets: c.STRIPE_WEBHOOK_SECRETS,
      webhookToleranceSeconds: c.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
      apiBase: c.STRIPE_API_BASE,
      checkoutMode: c.STRIPE_CHECKOUT_MODE,
      returnUrl: c.PAYMENT_RETURN_URL,
    }),
    create: (options, deps) => new StripePaymentProvider(options, deps.clock),
  }),
  alipay: register({
    schema: alipayOptionsSchema,
    envNames: alipayOptionEnvNames,
    fromConfig: (c) => ({
      appId: c.ALIPAY_APP_ID ?? '',
      appPrivateKey: c.ALIPAY_APP_PRIVATE_KEY ?? '',
      alipayPublicKey: c.ALIPAY_PUBLIC_KEY,
      appCert: c.ALIPAY_APP_CERT,
      alipayPublicCert: c.ALIPAY_PUBLIC_CERT,
      alipayRootCert: c.ALIPAY_ROOT_CERT,
      sandbox: c.ALIPAY_SANDBOX,
      gatewayUrl: c.ALIPAY_GATEWAY_URL,
      notifyUrl: c.ALIPAY_NOTIFY_URL ?? '',
      returnUrl: c.PAYMENT_RETURN_URL,
      sellerId: c.ALIPAY_SELLER_ID,
      payTimeoutMinutes: c.ALIPAY_PAY_TIMEOUT_MINUTES,
      defaultPresentation: c.ALIPAY_DEFAULT_PRESENTATION,
    }),
    create: (options) => new AlipayPaymentProvider(options),
  }),
} as const satisfies Record<string, ProviderRegistration<z.ZodType>>;

export type PaymentProviderId = keyof typeof paymentProviderRegistry;

export const knownPaymentProviderIds = Object.keys(paymentProviderRegistry) as PaymentProviderId[];

const isKnown = (id: string): id is PaymentProviderId => Object.hasOwn(paymentProviderRegistry, id);

/**
 * Builds one instance of every provider listed in PAYMENT_PROVIDERS, validating each provider's
 * options first so a bad setting stops start-up with the variable's name.
 * @throws UnknownProviderError for an id not in the registry; ConfigError for invalid options.
 */
export function createPaymentProviders(
  config: PaymentProvidersConfig,
  deps: ProviderDeps = {},
): Map<string, PaymentProvider> {
  const providers = new Map<string, PaymentProvider>();
  for (const id of config.PAYMENT_PROVIDERS) {
    if (!isKnown(id)) throw new UnknownProviderError(id, knownPaymentProviderIds);
    if (providers.has(id)) continue;
    const registration: ProviderRegistration<z.ZodType> = paymentProviderRegistry[id];
    const parsed = registration.schema.safeParse(registration.fromConfig(config));
    if (!parsed.success) {
      const lines = parsed.error.issues.map((issue) => {
        const field = String(issue.path[0] ?? '');
        return `  ${registration.envNames[field] ?? field}: ${issue.message}`;
      });
      throw new ConfigError(`Invalid configuration for payment provider '${id}':\n${lines.join('\n')}`);
    }
    providers.set(id, registration.create(parsed.data, deps));
  }
  return providers;
}

/** @throws UnknownProviderError when `id` is not enabled. */
export function getPaymentProvider(
  providers: ReadonlyMap<string, PaymentProvider>,
  id: string,
): PaymentProvider {
  const provider = providers.get(id);
  if (!provider) throw new UnknownProviderError(id, [...providers.keys()]);
  return provider;
}
