import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useLocale, useT } from '../../i18n';
import {
  type StripeElements,
  type StripeJs,
  type StripePaymentElement,
  loadStripeJs,
} from '../../ui/stripe-js';
import { messages } from './messages';

type State = 'loading' | 'ready' | 'processing' | 'blocked' | 'loaderror';

/** Where Stripe sends the customer back after a redirect method (Alipay through Stripe, 3-D Secure). */
export function returnUrlFor(paymentId: string): string {
  return `${location.origin}/console/top-up?payment=${encodeURIComponent(paymentId)}`;
}

/**
 * Stripe's Payment Element (card, and Alipay where the currency allows), as on the hosted page: Pay is
 * enabled only once the Element is ready; Stripe.js that cannot load leaves Pay disabled and says what to
 * do. Card payments confirm in place (`redirect: 'if_required'`); redirect methods come back to
 * `returnUrlFor`. Whether it was paid is what the server says afterwards, never this answer.
 */
export function StripeCheckout({
  paymentId,
  clientSecret,
  publishableKey,
  onConfirmed,
}: {
  paymentId: string;
  clientSecret: string;
  publishableKey: string;
  onConfirmed: () => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [state, setState] = useState<State>('loading');
  const [error, setError] = useState<string | null>(null);
  const stripe = useRef<{ js: StripeJs; elements: StripeElements } | null>(null);

  useEffect(() => {
    let live = true;
    let element: StripePaymentElement | null = null;
    loadStripeJs().then(
      (Stripe) => {
        if (!live) return;
        const js = Stripe(publishableKey);
        const elements = js.elements({ clientSecret, locale: locale === 'zh-CN' ? 'zh' : 'en' });
        element = elements.create('payment');
        element.on('ready', () => live && setState('ready'));
        element.on('loaderror', () => live && setState('loaderror'));
        element.mount('#payment-element');
        stripe.current = { js, elements };
      },
      () => live && setState('blocked'),
    );
    return () => {
      live = false;
      element?.destroy?.();
      stripe.current = null;
    };
  }, [clientSecret, publishableKey, locale]);

  async function pay(e: FormEvent) {
    e.preventDefault();
    if (!stripe.current || state !== 'ready') return;
    setState('processing');
    setError(null);
    const result = await stripe.current.js.confirmPayment({
      elements: stripe.current.elements,
      confirmParams: { return_url: returnUrlFor(paymentId) },
      redirect: 'if_required',
    });
    if (result.error) {
      setError(result.error.message ?? t('paymentFailed'));
      setState('ready');
      return;
    }
    onConfirmed();
  }

  const status =
    state === 'loading'
      ? t('loadingForm')
      : state === 'processing'
        ? t('processing')
        : state === 'blocked'
          ? t('stripeBlocked')
          : state === 'loaderror'
            ? t('formLoadError')
            : (error ?? '');
  const isError = state === 'blocked' || state === 'loaderror' || error !== null;
  return (
    <form onSubmit={pay} className="stripe-checkout">
      <div id="payment-element" />
      <button type="submit" disabled={state !== 'ready'}>
        {t('pay')}
      </button>
      <p role="status" className={isError ? 'field-error' : 'muted'}>
        {status}
      </p>
    </form>
  );
}
