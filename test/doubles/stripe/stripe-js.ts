import type { Page } from 'playwright-core';
import type { StripeDouble } from './server.ts';

/**
 * js.stripe.com cannot be reached in tests (and must never be bundled), so browser tests serve this
 * stand-in at Stripe.js's real URL. Like the real one it mounts a Payment Element that fires `ready`
 * once rendered, and `confirmPayment` POSTs to `https://api.stripe.com/v1/payment_intents/<pi>/confirm`
 * with the client secret and publishable key; `routeStripe` answers that from the Stripe double
 * (`customerConfirms`, which then sends the signed webhook to the gateway, as Stripe would). A declined
 * card answers 402 with Stripe's error; success redirects to `return_url` with the PaymentIntent, its
 * client secret and `redirect_status` appended — unless `redirect: 'if_required'` and no redirect is
 * needed, when it resolves `{ paymentIntent }` (https://docs.stripe.com/js/payment_intents/confirm_payment).
 * `data-card` on the Element's container picks the test card (default `pm_card_visa`).
 */
export const FAKE_STRIPE_JS = `
window.Stripe = function (pk) {
  window.__stripe = { pk: pk };
  var host = null;
  return {
    elements: function (opts) {
      window.__stripe.clientSecret = opts.clientSecret;
      window.__stripe.locale = opts.locale;
      return { create: function (kind) { var on = {}; return {
        on: function (name, cb) { on[name] = cb; },
        mount: function (target) {
          host = typeof target === 'string' ? document.querySelector(target) : target;
          host.innerHTML = '<div data-testid="payment-element">' + kind + ' element: card, alipay</div>';
          setTimeout(function () { if (on.ready) on.ready({ elementType: kind }); }, 0);
        },
        destroy: function () { if (host) host.innerHTML = ''; } }; } };
    },
    confirmPayment: function (args) {
      var secret = window.__stripe.clientSecret;
      var pi = secret.split('_secret_')[0];
      var card = (host && host.getAttribute('data-card')) || 'pm_card_visa';
      var body = 'payment_method=' + encodeURIComponent(card) + '&client_secret=' + encodeURIComponent(secret) +
        '&key=' + encodeURIComponent(pk) + '&return_url=' + encodeURIComponent(args.confirmParams.return_url);
      return fetch('https://api.stripe.com/v1/payment_intents/' + pi + '/confirm', {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body
      }).then(function (r) { return r.json(); }).then(function (res) {
        if (res.error) return { error: res.error };
        if (args.redirect === 'if_required' && res.status !== 'requires_action') return { paymentIntent: res };
        var sep = args.confirmParams.return_url.indexOf('?') < 0 ? '?' : '&';
        location.href = args.confirmParams.return_url + sep + 'payment_intent=' + pi +
          '&payment_intent_client_secret=' + encodeURIComponent(secret) + '&redirect_status=' +
          (res.status === 'succeeded' ? 'succeeded' : 'failed');
        return new Promise(function () {});
      });
    }
  };
};`;

/**
 * Serves FAKE_STRIPE_JS at https://js.stripe.com (or blocks it, as a content blocker would) and
 * answers its confirm calls to https://api.stripe.com from the Stripe double.
 */
export async function routeStripe(
  page: Page,
  stripe: StripeDouble,
  opts: { stripeJs?: 'served' | 'blocked' } = {},
): Promise<void> {
  await page.route('https://js.stripe.com/**', (route) =>
    opts.stripeJs === 'blocked'
      ? route.abort('blockedbyclient')
      : route.fulfill({ contentType: 'application/javascript', body: FAKE_STRIPE_JS }),
  );
  await page.route('https://api.stripe.com/v1/payment_intents/*/confirm', (route) => {
    const piId = new URL(route.request().url()).pathname.split('/')[3]!;
    const form = new URLSearchParams(route.request().postData() ?? '');
    const pi = stripe.customerConfirms(piId, form.get('payment_method') ?? 'pm_card_visa', {
      returnUrl: form.get('return_url') ?? undefined,
    });
    const declined = pi.status === 'requires_payment_method' && pi.last_payment_error;
    return route.fulfill({
      status: declined ? 402 : 200,
      contentType: 'application/json',
      headers: { 'access-control-allow-origin': '*' },
      body: JSON.stringify(
        declined ? { error: { ...(pi.last_payment_error as object), payment_intent: pi } } : pi,
      ),
    });
  });
}
