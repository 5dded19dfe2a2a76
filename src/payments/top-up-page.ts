/**
 * The hosted top-up page: mounts Stripe's Payment Element so one checkout shows card and Alipay
 * where the currency allows. The client secret travels in the URL fragment (`/pay/<paymentId>#<secret>`),
 * which browsers never send to servers, so it stays out of access logs. Stripe.js must be loaded from
 * js.stripe.com (PCI); the browser test stubs that origin.
 */
const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.4rem}#amount{font-weight:600}button{margin-top:1rem;padding:.7rem 1.4rem;font-size:1rem;border:0;border-radius:6px;background:#4f46e5;color:#fff;cursor:pointer}
button:disabled{opacity:.6}#message{margin-top:1rem;min-height:1.5rem}.error{color:#b91c1c}.ok{color:#15803d}`;

export function renderTopUpPage(p: {
  paymentId: string;
  amountDisplay: string;
  currency: string;
  publishableKey: string;
  returnUrl: string;
}): string {
  const cfg = JSON.stringify({
    publishableKey: p.publishableKey,
    returnUrl: p.returnUrl,
    paymentId: p.paymentId,
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Top up ${esc(p.amountDisplay)} ${esc(p.currency)}</title><style>${STYLE}</style>
<script src="https://js.stripe.com/v3/"></script></head>
<body><h1>Top up your wallet</h1>
<p>Amount: <span id="amount">${esc(p.amountDisplay)} ${esc(p.currency)}</span></p>
<form id="payment-form"><div id="payment-element"></div><button id="submit" type="submit">Pay</button>
<div id="message" role="status"></div></form>
<script type="application/json" id="config">${cfg.replace(/</g, '\\u003c')}</script>
<script>
(function () {
  var cfg = JSON.parse(document.getElementById('config').textContent);
  var message = document.getElementById('message');
  var clientSecret = decodeURIComponent(location.hash.slice(1));
  if (!clientSecret) { message.textContent = 'Missing payment session.'; message.className = 'error'; return; }
  if (!window.Stripe) { message.textContent = 'Could not load Stripe.'; message.className = 'error'; return; }
  var stripe = window.Stripe(cfg.publishableKey);
  var elements = stripe.elements({ clientSecret: clientSecret });
  elements.create('payment').mount('#payment-element');
  var button = document.getElementById('submit');
  document.getElementById('payment-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    button.disabled = true;
    message.textContent = 'Processing…';
    message.className = '';
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: cfg.returnUrl } }).then(function (result) {
      if (result.error) {
        message.textContent = result.error.message || 'Payment failed.';
        message.className = 'error';
        button.disabled = false;
      }
    });
  });
})();
</script></body></html>`;
}

export function renderReturnPage(p: { paymentId: string; statusUrl: string }): string {
  const cfg = JSON.stringify({ statusUrl: p.statusUrl }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Payment status</title><style>${STYLE}</style></head>
<body><h1>Payment status</h1><p id="status" role="status">Checking your payment…</p>
<script type="application/json" id="config">${cfg}</script>
<script>
(function () {
  var cfg = JSON.parse(document.getElementById('config').textContent);
  var el = document.getElementById('status');
  var tries = 0;
  // The redirect's redirect_status is only a hint: the status shown comes from the server, which
  // credits the wallet from the provider's webhook or a server-side query.
  function poll() {
    fetch(cfg.statusUrl, { headers: { accept: 'application/json' } }).then(function (r) { return r.json(); }).then(function (s) {
      if (s.status === 'succeeded') { el.textContent = 'Payment succeeded: ' + s.amount + ' ' + s.currency + ' added to your wallet.'; el.className = 'ok'; return; }
      if (s.status === 'canceled') { el.textContent = 'Payment canceled.'; el.className = 'error'; return; }
      if (s.status === 'failed') { el.textContent = 'Payment failed' + (s.failureMessage ? ': ' + s.failureMessage : '.') + ' You can try again.'; el.className = 'error'; return; }
      el.textContent = 'Payment is processing…';
      if (++tries < 60) setTimeout(poll, 1000);
    }).catch(function () { if (++tries < 60) setTimeout(poll, 2000); });
  }
  poll();
})();
</script></body></html>`;
}
