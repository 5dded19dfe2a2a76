import { ValidationError } from '../lib/errors.ts';

const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

/** Three uppercase letters naming an ISO 4217 currency known to the runtime's ICU data. */
export function assertCurrency(currency: string, param = 'currency'): string {
  if (!/^[A-Z]{3}$/.test(currency) || !ISO_4217.has(currency))
    throw new ValidationError(`Unknown currency '${currency}': use an uppercase ISO 4217 code such as USD`, {
      param,
    });
  return currency;
}
