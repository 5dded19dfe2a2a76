/**
 * The hosted top-up page: mounts Stripe's Payment Element so one checkout shows card and Alipay
 * where the currency allows; for direct Alipay (the status route answers a `checkout`) it shows the
 * QR code on a desktop and sends a phone to Alipay's mobile cashier, then polls the status and
 * lands on the return page. Stripe.js is loaded only for Stripe payments. The client secret travels in the URL fragment (`/pay/<paymentId>#<secret>`),
 * which browsers never send to servers, so it stays out of access logs. Stripe.js must be loaded from
 * js.stripe.com (PCI); the browser test stubs that origin. The Pay button stays disabled until the
 * Payment Element is ready, and a page whose Stripe.js did not load says so and what to do.
 */
export const STRIPE_JS_URL = 'https://js.stripe.com/v3/';
/** After this long without Stripe.js the page says what to do (a hanging request never errors). */
const STRIPE_JS_TIMEOUT_MS = 15_000;
/** How often the page waiting for a scanned QR code asks the server, and for how long (20 min). */
const POLL_INTERVAL_MS = 2_000;
const POLL_LIMIT = 600;

const STYLE = `body{font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.4rem}#amount{font-weight:600}button{margin-top:1rem;padding:.7rem 1.4rem;font-size:1rem;border:0;border-radius:6px;background:#4f46e5;color:#fff;cursor:pointer}
button:disabled{opacity:.6}#message{margin-top:1rem;min-height:1.5rem}#qr svg{display:block;margin:1rem 0}.error{color:#b91c1c}.ok{color:#15803d}`;

/**
 * The page is the same for every payment id: what it shows (amount, state) comes from
 * `/pay/<id>/status`, which answers only to the browser holding the client secret, so someone who
 * has only the payment id learns nothing from either.
 */
export function renderTopUpPage(p: {
  paymentId: string;
  publishableKey: string;
  returnUrl: string;
  statusUrl: string;
}): string {
  const cfg = JSON.stringify({
    publishableKey: p.publishableKey,
    returnUrl: p.returnUrl,
    statusUrl: p.statusUrl,
    paymentId: p.paymentId,
    stripeJsUrl: STRIPE_JS_URL,
    stripeJsTimeoutMs: STRIPE_JS_TIMEOUT_MS,
    pollIntervalMs: POLL_INTERVAL_MS,
    pollLimit: POLL_LIMIT,
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Top up your wallet</title><style>${STYLE}</style></head>
<body><h1>Top up your wallet</h1>
<p>Amount: <span id="amount">…</span></p>
<form id="payment-form"><div id="payment-element"></div><button id="submit" type="submit" disabled>Pay</button>
<div id="message" role="status">Loading the payment form…</div></form>
<section id="direct" hidden><div id="qr"></div><p id="direct-message" role="status"></p>
<p><a id="open" hidden rel="noreferrer">Pay with Alipay</a></p></section>
<script type="application/json" id="config">${cfg.replace(/</g, '\\u003c')}</script>
<script>
(function () {
  var cfg = JSON.parse(document.getElementById('config').textContent);
  var message = document.getElementById('message');
  var button = document.getElementById('submit');
  function say(text, cls) { message.textContent = text; message.className = cls || ''; }
  function fail(text) { button.disabled = true; say(text, 'error'); }
  var clientSecret = decodeURIComponent(location.hash.slice(1));
  if (!clientSecret) { fail('Missing payment session. Open the payment link you were given again.'); return; }
  // The return page polls the status with the secret: Stripe.js adds it to the return URL, and this
  // copy covers a browser that drops it.
  try { sessionStorage.setItem('tollgate.pay.' + cfg.paymentId, clientSecret); } catch (e) {}

  var status = fetch(cfg.statusUrl, { headers: { accept: 'application/json', 'x-client-secret': clientSecret } })
    .then(function (r) { if (r.status === 404) throw new Error('not found'); return r.json(); });

  status.then(function (st) {
    document.getElementById('amount').textContent = st.amount + ' ' + st.currency;
    document.title = 'Top up ' + st.amount + ' ' + st.currency;
    if (st.status === 'succeeded') { button.disabled = true; say('This payment has already been made.', 'ok'); return; }
    if (st.checkout) directCheckout(st.checkout); else stripeCheckout();
  }, function () { fail('This payment link is not valid. Open the payment link you were given again.'); });

  // A provider without a browser SDK (Alipay): the QR code drawn by the server (paths only, parsed
  // as SVG so nothing in it runs) on a desktop, its cashier on a phone; then wait for the server.
  function directCheckout(c) {
    document.getElementById('payment-form').hidden = true;
    var box = document.getElementById('direct');
    box.hidden = false;
    var phone = /Android|iPhone|iPad|iPod|Mobile|HarmonyOS/i.test(navigator.userAgent);
    if (phone && c.redirectUrl) { location.assign(c.redirectUrl); return; }
    if (c.qrSvg) {
      var svg = new DOMParser().parseFromString(c.qrSvg, 'image/svg+xml').documentElement;
      if (svg.nodeName === 'svg') {
        svg.setAttribute('width', '240'); svg.setAttribute('height', '240');
        svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', 'Alipay QR code');
        document.getElementById('qr').appendChild(document.importNode(svg, true));
      }
    }
    var open = document.getElementById('open');
    var target = phone ? c.qrCode : c.redirectUrl;
    if (target) { open.href = target; open.hidden = false; }
    document.getElementById('direct-message').textContent = c.qrSvg
      ? 'Scan the code with the Alipay app to pay. This page moves on by itself once the payment is made.'
      : 'Continue to Alipay to pay.';
    waitForResult();
  }

  function waitForResult() {
    var tries = 0;
    function poll() {
      fetch(cfg.statusUrl, { headers: { accept: 'application/json', 'x-client-secret': clientSecret } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (st) {
          if (st && (st.status === 'succeeded' || st.status === 'canceled' || st.status === 'failed')) {
            location.assign(cfg.returnUrl); return;
          }
          if (++tries < cfg.pollLimit) setTimeout(poll, cfg.pollIntervalMs);
        }, function () { if (++tries < cfg.pollLimit) setTimeout(poll, cfg.pollIntervalMs); });
    }
    setTimeout(poll, cfg.pollIntervalMs);
  }

  function stripeCheckout() {
    var stripeLoaded = new Promise(function (resolve, reject) {
      // Loaded from js.stripe.com (PCI: never bundled); when it cannot load (offline, a content
      // blocker, a firewall) the Pay button stays disabled and the customer is told what to do.
      var s = document.createElement('script');
      s.src = cfg.stripeJsUrl;
      s.onload = function () { window.Stripe ? resolve(window.Stripe) : reject(new Error('no Stripe')); };
      s.onerror = reject;
      setTimeout(function () { reject(new Error('timeout')); }, cfg.stripeJsTimeoutMs);
      document.head.appendChild(s);
    });
    stripeLoaded.then(function (Stripe) {
      var stripe = Stripe(cfg.publishableKey);
      var elements = stripe.elements({ clientSecret: clientSecret });
      var element = elements.create('payment');
      element.on('ready', function () { button.disabled = false; say(''); });
      element.on('loaderror', function () { fail('The payment form could not be loaded. Reload this page to try again.'); });
      element.mount('#payment-element');
      document.getElementById('payment-form').addEventListener('submit', function (ev) {
        ev.preventDefault();
        button.disabled = true;
        say('Processing…');
        stripe.confirmPayment({ elements: elements, confirmParams: { return_url: cfg.returnUrl } }).then(function (result) {
          if (result.error) { say(result.error.message || 'Payment failed.', 'error'); button.disabled = false; }
        });
      });
    }, function () {
      fail('The payment form could not be loaded: your browser did not get Stripe.js from js.stripe.com. ' +
        'Check your connection and allow js.stripe.com in any content or ad blocker, then reload this page. ' +
        'Nothing has been charged.');
    });
  }
})();
</script></body></html>`;
}

export function renderReturnPage(p: { paymentId: string; statusUrl: string }): string {
  const cfg = JSON.stringify({ paymentId: p.paymentId, statusUrl: p.statusUrl }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Payment status</title><style>${STYLE}</style></head>
<body><h1>Payment status</h1><p id="status" role="status">Checking your payment…</p>
<script type="application/json" id="config">${cfg}</script>
<script>
(function () {
  var cfg = JSON.parse(document.getElementById('config').textContent);
  var el = document.getElementById('status');
  var params = new URLSearchParams(location.search);
  var secret = params.get('payment_intent_client_secret');
  try { secret = secret || sessionStorage.getItem('tollgate.pay.' + cfg.paymentId); } catch (e) {}
  // Out of the address bar and history: the secret is the only proof that this browser started the payment.
  if (params.has('payment_intent_client_secret')) history.replaceState(null, '', location.pathname);
  if (!secret) { el.textContent = 'Open this page from the payment you started: this link has no payment session.'; el.className = 'error'; return; }
  var tries = 0;
  // The redirect's redirect_status is only a hint: the status shown comes from the server, which
  // credits the wallet from the provider's webhook or a server-side query.
  function poll() {
    fetch(cfg.statusUrl, { headers: { accept: 'application/json', 'x-client-secret': secret } }).then(function (r) {
      if (r.status === 404) { el.textContent = 'Payment not found.'; el.className = 'error'; return null; }
      return r.json();
    }).then(function (s) {
      if (!s) return;
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
