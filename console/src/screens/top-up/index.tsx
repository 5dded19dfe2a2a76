import '../../ui/forms.css';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { useT } from '../../i18n';
import { Card, Page } from '../../ui/Page';
import { formatMoney } from '../../ui/money';
import { useViewer } from '../../viewer';
import { AlipayCheckout } from './AlipayCheckout';
import { Balances } from './Balances';
import { PaymentHistory } from './PaymentHistory';
import { PaymentResult } from './PaymentResult';
import { StripeCheckout } from './StripeCheckout';
import { type CreatedTopUp, TopUpForm } from './TopUpForm';
import { messages } from './messages';
import { TopUpWalletsQuery } from './operations';

/**
 * Back from a redirect method (`?payment=<id>&payment_intent_client_secret=…`): the secret leaves the
 * address bar at once, as on the hosted return page; what is shown comes from the server.
 */
function takeReturnedPayment(): string | null {
  const params = new URLSearchParams(location.search);
  const id = params.get('payment');
  if (params.size > 0) history.replaceState(history.state, '', location.pathname);
  return id;
}

function Checkout({ topUp, onSettled }: { topUp: CreatedTopUp; onSettled: () => void }) {
  const t = useT(messages);
  const [confirmed, setConfirmed] = useState(false);
  const amount = formatMoney(topUp.payment.amount);
  const stripe = topUp.clientSecret && topUp.publishableKey;
  return (
    <Card title={t('payTitle', { amount })}>
      {stripe && !confirmed && (
        <StripeCheckout
          paymentId={topUp.payment.id}
          clientSecret={topUp.clientSecret!}
          publishableKey={topUp.publishableKey!}
          onConfirmed={() => setConfirmed(true)}
        />
      )}
      {!stripe && (
        <AlipayCheckout
          paymentPageUrl={topUp.paymentPageUrl ?? null}
          qrCode={topUp.qrCode ?? null}
          redirectUrl={topUp.redirectUrl ?? null}
          amountText={amount}
        />
      )}
      {(confirmed || !stripe) && <PaymentResult paymentId={topUp.payment.id} onSettled={onSettled} />}
    </Card>
  );
}

export default function TopUpScreen() {
  const t = useT(messages);
  const { viewer } = useViewer();
  const canBill = viewer.scopes.includes('BILLING');
  const [wallets, refetchWallets] = useQuery({ query: TopUpWalletsQuery });
  const [open, setOpen] = useState<CreatedTopUp | null>(null);
  const [returned, setReturned] = useState<string | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);

  useEffect(() => setReturned(takeReturnedPayment()), []);

  const settled = useCallback(() => {
    refetchWallets({ requestPolicy: 'network-only' });
    setRefreshKey((k) => k + 1);
  }, [refetchWallets]);

  const walletCurrencies = useMemo(
    () => [...new Set(wallets.data?.wallets.edges.map((e) => e.node.currency) ?? [])],
    [wallets.data],
  );
  return (
    <Page
      title={t('title')}
      actions={
        open ? (
          <button type="button" className="secondary" onClick={() => setOpen(null)}>
            {t('newPayment')}
          </button>
        ) : undefined
      }
    >
      <Balances result={wallets} />
      {returned && (
        <Card>
          <PaymentResult paymentId={returned} onSettled={settled} />
        </Card>
      )}
      {!canBill ? (
        <p className="notice">{t('noBilling')}</p>
      ) : open ? (
        <Checkout key={open.payment.id} topUp={open} onSettled={settled} />
      ) : (
        <TopUpForm key={walletCurrencies.join(',')} walletCurrencies={walletCurrencies} onCreated={setOpen} />
      )}
      <PaymentHistory refreshKey={refreshKey} />
    </Page>
  );
}
