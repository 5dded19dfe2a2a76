/**
 * Stripe.js, loaded from js.stripe.com at the moment a payment needs it (Stripe requires that origin
 * and forbids bundling it; the console's CSP allows it). The same rules as the hosted top-up page
 * (src/payments/top-up-page.ts): a script that fails or hangs (offline, a content blocker, a firewall)
 * rejects after `timeoutMs`, and the caller keeps Pay disabled and says what to do.
 */
export const STRIPE_JS_URL = 'https://js.stripe.com/v3/';
const STRIPE_JS_TIMEOUT_MS = 15_000;

/** The part of Stripe.js the console uses (https://docs.stripe.com/js). */
export interface StripeJs {
  elements(opts: { clientSecret: string; locale?: string }): StripeElements;
  confirmPayment(args: {
    elements: StripeElements;
    confirmParams: { return_url: string };
    redirect?: 'always' | 'if_required';
  }): Promise<{ error?: { message?: string }; paymentIntent?: { id: string; status: string } }>;
}
export interface StripeElements {
  create(kind: 'payment'): StripePaymentElement;
}
export interface StripePaymentElement {
  on(event: 'ready' | 'loaderror', cb: () => void): void;
  mount(target: string | HTMLElement): void;
  destroy?(): void;
}

type StripeFactory = (publishableKey: string) => StripeJs;

let loading: Promise<StripeFactory> | null = null;

export function loadStripeJs(timeoutMs = STRIPE_JS_TIMEOUT_MS): Promise<StripeFactory> {
  const existing = (window as unknown as { Stripe?: StripeFactory }).Stripe;
  if (existing) return Promise.resolve(existing);
  if (loading) return loading;
  loading = new Promise<StripeFactory>((resolve, reject) => {
    const s = document.createElement('script');
    s.src = STRIPE_JS_URL;
    s.onload = () => {
      const factory = (window as unknown as { Stripe?: StripeFactory }).Stripe;
      factory ? resolve(factory) : reject(new Error('Stripe.js loaded without Stripe'));
    };
    s.onerror = () => reject(new Error('Stripe.js could not be loaded'));
    setTimeout(() => reject(new Error('Stripe.js timed out')), timeoutMs);
    document.head.appendChild(s);
  });
  // A failed load may succeed on the next attempt (the person allowed js.stripe.com): do not cache it.
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
