import type { messages } from './messages';

type Key = keyof (typeof messages)['en'];

/** How a provider id is named to people; an id the console does not know is shown as it is. */
export function providerLabel(t: (k: Key) => string, id: string): string {
  if (id === 'stripe') return t('providerStripe');
  if (id === 'alipay') return t('providerAlipay');
  return id;
}

/** States after which nothing more happens to the payment without the customer (failed: may retry). */
export const SETTLED = new Set(['SUCCEEDED', 'CANCELED', 'FAILED']);
