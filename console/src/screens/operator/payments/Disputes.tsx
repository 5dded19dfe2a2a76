import { useState } from 'react';
import { useQuery } from 'urql';
import type { DisputeStatus } from '../../../gql/graphql';
import { useT } from '../../../i18n';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { PagedTable, StatusFilter, useCursor } from '../../../ui/PagedTable';
import { formatUtc } from '../../../ui/dates';
import { moneyColumn } from '../../../ui/DataTable';
import { formatMoney } from '../../../ui/money';
import { messages } from './messages';
import { DisputesDocument } from './operations';

const STATUSES: DisputeStatus[] = ['OPEN', 'WON', 'LOST'];
const PAGE = 50;

/** Disputes (chargebacks), open ones first by default, with the payment and order they concern. */
export function Disputes() {
  const t = useT(messages);
  const [status, setStatus] = useState<DisputeStatus | ''>('OPEN');
  const [after, setAfter] = useCursor({ status });
  const [{ data, error, fetching }] = useQuery({
    query: DisputesDocument,
    variables: { first: PAGE, after, status: status ? [status] : null },
  });
  const rows = (data?.disputes.edges ?? []).map((e) => e.node);
  const pageInfo = data?.disputes.pageInfo;
  return (
    <>
      <p className="field-hint">{t('disputesHint')}</p>
      <StatusFilter label={t('disputeStatus')} value={status} statuses={STATUSES} onChange={setStatus} />
      <ErrorNotice error={error} />
      <PagedTable
        loading={fetching && !data}
        pageInfo={pageInfo}
        after={after}
        onAfter={setAfter}
        caption={t('disputes')}
        rows={rows}
        rowKey={(d) => d.id}
        empty={t('noDisputes')}
        columns={[
          { key: 'created', header: t('created'), cell: (d) => formatUtc(d.createdAt) },
          moneyColumn('amount', t('amount')),
          {
            key: 'status',
            header: t('status'),
            cell: (d) => (
              <span
                className={`badge ${d.status === 'OPEN' ? 'badge-bad' : d.status === 'WON' ? 'badge-ok' : ''}`}
              >
                {d.status}
              </span>
            ),
          },
          {
            key: 'reason',
            header: t('reason'),
            cell: (d) => (
              <>
                {d.reason ?? ''}
                <div className="muted small">
                  {t('disputeId')} <code>{d.providerDisputeId}</code>
                </div>
              </>
            ),
          },
          {
            key: 'payment',
            header: t('payment'),
            cell: (d) => (
              <>
                {formatMoney(d.payment.amount)} · {d.payment.provider}
                <br />
                <code className="muted small">{d.payment.orderId}</code>
              </>
            ),
          },
        ]}
      />
    </>
  );
}
