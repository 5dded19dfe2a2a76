import { useEffect, useRef } from 'react';
import { useQuery } from 'urql';
import { useT } from '../../i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatMoney } from '../../ui/money';
import { messages } from './messages';
import { PaymentStatusQuery } from './operations';
import { SETTLED } from './providers';

const POLL_INTERVAL_MS = 2_000;

/**
 * The payment's state as the server knows it, asked again every 2 s until it is settled: the wallet is
 * credited from the provider's webhook or reconciliation, never from what the browser saw.
 */
export function PaymentResult({ paymentId, onSettled }: { paymentId: string; onSettled: () => void }) {
  const t = useT(messages);
  const [result, reexecute] = useQuery({
    query: PaymentStatusQuery,
    variables: { id: paymentId },
    requestPolicy: 'network-only',
  });
  const payment = result.data?.node?.__typename === 'Payment' ? result.data.node : null;
  const status = payment?.status;
  const settled = status !== undefined && SETTLED.has(status);
  const reported = useRef(false);

  useEffect(() => {
    if (settled) {
      if (!reported.current) {
        reported.current = true;
        onSettled();
      }
      return;
    }
    const timer = setInterval(() => reexecute({ requestPolicy: 'network-only' }), POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [settled, reexecute, onSettled]);

  if (result.error && !payment) return <ErrorNotice error={result.error} />;
  if (!payment) return <p className="muted">{t('waiting')}</p>;
  const amount = formatMoney(payment.amount);
  if (status === 'SUCCEEDED')
    return (
      <p role="status" className="notice notice-ok">
        {t('succeeded', { amount })}
      </p>
    );
  if (status === 'CANCELED')
    return (
      <p role="status" className="notice notice-error">
        {t('canceled')}
      </p>
    );
  if (status === 'FAILED')
    return (
      <p role="status" className="notice notice-error">
        {t('failed', { reason: payment.failureMessage ? `: ${payment.failureMessage}` : '' })}
      </p>
    );
  return (
    <p role="status" className="muted">
      {t('waiting')}
    </p>
  );
}
