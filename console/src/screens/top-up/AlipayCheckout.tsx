import { useEffect, useRef, useState } from 'react';
import { useT } from '../../i18n';
import { messages } from './messages';

/**
 * Direct Alipay: the QR code as the gateway draws it for the hosted page (`/pay/<id>/status` with the
 * page secret from `paymentPageUrl`'s fragment answers `checkout.qrSvg`: SVG paths only, parsed as SVG
 * so nothing in it runs, nothing fetched from another origin), or a link to Alipay's cashier.
 */
export function AlipayCheckout({
  paymentPageUrl,
  qrCode,
  redirectUrl,
  amountText,
}: {
  paymentPageUrl: string | null;
  qrCode: string | null;
  redirectUrl: string | null;
  amountText: string;
}) {
  const t = useT(messages);
  const box = useRef<HTMLDivElement>(null);
  const [drawn, setDrawn] = useState(false);

  useEffect(() => {
    if (!paymentPageUrl || !qrCode) return;
    const page = new URL(paymentPageUrl, location.href);
    const secret = decodeURIComponent(page.hash.slice(1));
    let live = true;
    // Same origin as the console (the gateway); only the path of PUBLIC_BASE_URL's link is used.
    fetch(`${page.pathname}/status`, { headers: { accept: 'application/json', 'x-client-secret': secret } })
      .then((r) => (r.ok ? r.json() : null))
      .then((st: { checkout?: { qrSvg?: string | null } } | null) => {
        const svgText = st?.checkout?.qrSvg;
        if (!live || !svgText || !box.current) return;
        const svg = new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement;
        if (svg.nodeName !== 'svg') return;
        svg.setAttribute('width', '240');
        svg.setAttribute('height', '240');
        svg.setAttribute('role', 'img');
        svg.setAttribute('aria-label', t('qrLabel', { amount: amountText }));
        box.current.replaceChildren(document.importNode(svg, true));
        setDrawn(true);
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [paymentPageUrl, qrCode, amountText, t]);

  const cashier = redirectUrl ?? (drawn ? null : qrCode);
  return (
    <div className="alipay-checkout">
      <div ref={box} className="qr" />
      {drawn && <p>{t('scanQr')}</p>}
      {cashier && (
        <p>
          <a className="button" href={cashier} rel="noreferrer">
            {t('openAlipay')}
          </a>
        </p>
      )}
    </div>
  );
}
