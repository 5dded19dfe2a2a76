import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import type { OperatorPaymentsQuery } from '../../../gql/graphql';
import { useT } from '../../../i18n';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { StatusNotice } from '../../../ui/StatusNotice';
import { useIdempotencyKey } from '../../../ui/idempotency';
import { formatMoney, parseMajorToMinor } from '../../../ui/money';
import { messages } from './messages';
import { RefundPaymentDocument } from './operations';

type Payment = OperatorPaymentsQuery['payments']['edges'][number]['node'];

/** Refunds part or all of what remains (minor units); one idempotency key per intended refund. */
export function RefundForm({
  payment,
  onDone,
  onClose,
}: {
  payment: Payment;
  onDone: () => void;
  onClose: () => void;
}) {
  const t = useT(messages);
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [key, renewKey] = useIdempotencyKey();
  const [state, refund] = useMutation(RefundPaymentDocument);
  const currency = payment.amount.currency;
  const remaining = (BigInt(payment.amount.amount) - BigInt(payment.amountRefunded.amount)).toString();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    const minor = amount.trim() ? parseMajorToMinor(amount, currency) : null;
    if (amount.trim() && (minor === null || BigInt(minor) <= 0n || BigInt(minor) > BigInt(remaining)))
      return setProblem(t('badAmount'));
    setProblem(null);
    const res = await refund({
      input: { paymentId: payment.id, amount: minor, reason: reason.trim() || null, idempotencyKey: key },
    });
    if (res.data) {
      const r = res.data.refundPayment;
      setDone(t('refundStarted', { status: r.status, amount: formatMoney(r.amount) }));
      renewKey();
      onDone();
    }
  }

  const title = t('refundTitle', { amount: formatMoney(payment.amount), id: payment.id });
  return (
    <form onSubmit={submit} aria-label={title}>
      <h3>{title}</h3>
      <p className="field-hint">
        {t('remaining', { amount: formatMoney({ amount: remaining, currency, unit: 'MINOR' }) })}
      </p>
      <div className="form-row">
        <label>
          {t('refundAmount')}
          <input
            inputMode="decimal"
            value={amount}
            onChange={(e) => {
              setAmount(e.target.value);
              renewKey();
            }}
          />
        </label>
        <label>
          {t('reason')}
          <input value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
      </div>
      {problem && (
        <p role="alert" className="field-error">
          {problem}
        </p>
      )}
      <ErrorNotice error={state.error} />
      <StatusNotice>{done}</StatusNotice>
      <div className="row-actions">
        <button type="submit" className="danger" disabled={state.fetching}>
          {t('submitRefund')}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
