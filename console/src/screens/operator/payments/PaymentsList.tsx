import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import type { PaymentStatus } from '../../../gql/graphql';
import { useT } from '../../../i18n';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { PagedTable, StatusFilter, useCursor } from '../../../ui/PagedTable';
import { StatusNotice } from '../../../ui/StatusNotice';
import { formatUtc } from '../../../ui/dates';
import { formatMoney } from '../../../ui/money';
import { messages } from './messages';
import { PaymentsDocument, ReleasePaymentReviewDocument } from './operations';
import { RefundForm } from './RefundForm';

const STATUSES: PaymentStatus[] = [
  'SUCCEEDED',
  'PROCESSING',
  'REQUIRES_ACTION',
  'CREATED',
  'FAILED',
  'CANCELED',
];
const PAGE = 50;

/**
 * Payments, newest first; "needing review" filters the loaded page on `underReview` (the API has no such
 * filter). Release and refund are offered where they can apply; the gateway decides.
 */
export function PaymentsList() {
  const t = useT(messages);
  const [reviewOnly, setReviewOnly] = useState(true);
  const [status, setStatus] = useState<PaymentStatus | ''>('');
  const [organizationId, setOrganizationId] = useState('');
  const [after, setAfter] = useCursor({ status, organizationId });
  const [{ data, error, fetching }, refetch] = useQuery({
    query: PaymentsDocument,
    variables: {
      first: PAGE,
      after,
      status: status ? [status] : null,
      organizationId: organizationId.trim() || null,
    },
  });
  const [releaseState, release] = useMutation(ReleasePaymentReviewDocument);
  const [released, setReleased] = useState<string | null>(null);
  const [refunding, setRefunding] = useState<string | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const all = (data?.payments.edges ?? []).map((e) => e.node);
  const rows = reviewOnly ? all.filter((p) => p.underReview) : all;
  const refundPayment = all.find((p) => p.id === refunding);
  const pageInfo = data?.payments.pageInfo;

  return (
    <>
      <div className="form-row">
        <label className="inline">
          <input type="checkbox" checked={reviewOnly} onChange={(e) => setReviewOnly(e.target.checked)} />
          {t('reviewOnly')}
        </label>
        <StatusFilter label={t('status')} value={status} statuses={STATUSES} onChange={setStatus} />
        <label>
          {t('organizationId')}
          <input value={organizationId} onChange={(e) => setOrganizationId(e.target.value)} />
        </label>
      </div>
      <ErrorNotice error={error ?? releaseState.error} />
      <StatusNotice>{released ? t('released', { id: released }) : null}</StatusNotice>
      <PagedTable
        loading={fetching && !data}
        pageInfo={pageInfo}
        after={after}
        onAfter={setAfter}
        caption={t('payments')}
        rows={rows}
        rowKey={(p) => p.id}
        empty={reviewOnly ? t('noneReview') : t('none')}
        columns={[
          { key: 'created', header: t('created'), cell: (p) => formatUtc(p.createdAt) },
          {
            key: 'amount',
            header: t('amount'),
            align: 'right',
            cell: (p) => (
              <>
                <span className="amount">{formatMoney(p.amount)}</span>
                {p.amountRefunded.amount !== '0' && (
                  <div className="muted amount">
                    {t('refunded')} {formatMoney(p.amountRefunded)}
                  </div>
                )}
              </>
            ),
          },
          {
            key: 'status',
            header: t('status'),
            cell: (p) => (
              <>
                {p.status}
                {p.underReview && (
                  <div>
                    <span className="badge badge-bad">{t('underReview')}</span>
                  </div>
                )}
                {p.riskLevel && <div className="muted">{t('risk', { level: p.riskLevel })}</div>}
              </>
            ),
          },
          {
            key: 'provider',
            header: t('provider'),
            cell: (p) => (
              <>
                {p.provider}
                <div className="muted small">
                  {t('order')} <code>{p.orderId}</code>
                </div>
              </>
            ),
          },
          {
            key: 'refunds',
            header: t('refunds'),
            cell: (p) =>
              p.refunds.map((r) => (
                <div key={r.id}>
                  {formatMoney(r.amount)} · {r.status}
                  {r.reason ? ` · ${r.reason}` : ''}
                </div>
              )),
          },
          {
            key: 'actions',
            header: t('actions'),
            cell: (p) => (
              <div className="row-actions">
                {p.underReview && (
                  <button
                    type="button"
                    aria-label={t('releaseFor', { id: p.id })}
                    disabled={releaseState.fetching}
                    onClick={async () => {
                      setReleased(null);
                      const res = await release({ paymentId: p.id });
                      if (res.data) {
                        setReleased(p.id);
                        reload();
                      }
                    }}
                  >
                    {t('release')}
                  </button>
                )}
                {p.status === 'SUCCEEDED' && BigInt(p.amountRefunded.amount) < BigInt(p.amount.amount) && (
                  <button
                    type="button"
                    className="secondary"
                    aria-label={t('refundFor', { id: p.id })}
                    onClick={() => setRefunding(p.id)}
                  >
                    {t('refund')}
                  </button>
                )}
              </div>
            ),
          },
        ]}
      />
      {refundPayment && (
        <RefundForm
          key={refundPayment.id}
          payment={refundPayment}
          onDone={reload}
          onClose={() => setRefunding(null)}
        />
      )}
    </>
  );
}
