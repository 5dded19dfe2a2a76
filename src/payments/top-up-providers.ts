import { AppError, ValidationError } from '../lib/errors.ts';
import { parseCurrency } from '../lib/money.ts';

/** Currency → the providers offered for its top-ups, in the operator's order (the first is the default). */
export type TopUpProviders = ReadonlyMap<string, readonly string[]>;

/**
 * Reads `TOP_UP_PROVIDERS` (`CNY=alipay+stripe,USD=stripe`): which enabled providers a top-up in each
 * currency may use, the first being the one taken when the request names none. A currency it does
 * not list is offered every enabled provider (PAYMENT_PROVIDERS order). Refuses, at start, a
 * provider that is not enabled, a currency given twice or a malformed entry.
 */
export function parseTopUpProviders(value: string | undefined, enabled: readonly string[]): TopUpProviders {
  const offers = new Map<string, string[]>();
  for (const entry of (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [rawCurrency, list, ...rest] = entry.split('=');
    const providers = (list ?? '')
      .split('+')
      .map((p) => p.trim())
      .filter(Boolean);
    if (rest.length > 0 || !rawCurrency?.trim() || providers.length === 0)
      throw invalid(`'${entry}' is not CURRENCY=provider[+provider…]`);
    const currency = parseCurrency(rawCurrency.trim(), 'TOP_UP_PROVIDERS');
    if (offers.has(currency)) throw invalid(`${currency} is listed twice`);
    for (const p of providers)
      if (!enabled.includes(p))
        throw invalid(`${currency}: '${p}' is not in PAYMENT_PROVIDERS (${enabled.join(', ') || 'none'})`);
    offers.set(currency, [...new Set(providers)]);
  }
  return offers;
}

/** The providers a top-up in `currency` may use, the default first. */
export function offeredProviders(
  offers: TopUpProviders,
  enabled: readonly string[],
  currency: string,
): readonly string[] {
  return offers.get(currency) ?? enabled;
}

/** A top-up asked for a provider the operator does not offer for its currency. */
export class ProviderNotOfferedError extends AppError {
  constructor(provider: string, currency: string, offered: readonly string[]) {
    super(
      'PROVIDER_NOT_OFFERED',
      `Top-ups in ${currency} are not offered through '${provider}' (offered: ${offered.join(', ') || 'none'})`,
      { status: 400, param: 'provider', details: { provider, currency, offered } },
    );
  }
}

const invalid = (why: string) =>
  new ValidationError(`TOP_UP_PROVIDERS: ${why}`, { param: 'TOP_UP_PROVIDERS' });
