import { useState } from 'react';
import { useQuery } from 'urql';
import type { PaymentHistoryQuery as History } from '../../gql/graphql';
import { useLocale, useT } from '../../i18n';
import { type Column, DataTable, moneyColumn } from '../../ui/DataTable';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Card } from '../../ui/Page';
import { formatMoney } from '../../ui/money';
import { messages } from './messages';
import { PaymentHistoryQuery } from './operations';
import { providerLabel } from './providers';

type Row = History['payments']['edges'][number]['node'];

function HistoryPage({
  after,
  onMore,
  last,
}: {
  after: string | null;
  onMore: (cursor: string) => void;
  last: boolean;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [result] = useQuery({
    query: PaymentHistoryQuery,
    variables: { after },
    requestPolicy: 'cache-and-network',
  });
  const rows = result.data?.payments.edges.map((e) => e.node) ?? [];
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const columns: Column<Row>[] = [
    { key: 'date', header: t('date'), cell: (p) => dates.format(new Date(p.createdAt)) },
    moneyColumn('amount', t('amount')),
    { key: 'provider', header: t('provider'), cell: (p) => providerLabel(t, p.provider) },
    {
      key: 'status',
      header: t('status'),
      cell: (p) => (
        <>
          <span className={`badge badge-${p.status.toLowerCase()}`}>{t(`status.${p.status}`)}</span>
          {p.underReview && <span className="muted"> · {t('underReview')}</span>}
          {p.failureMessage && p.status === 'FAILED' && <div className="muted">{p.failureMessage}</div>}
        </>
      ),
    },
    {
      key: 'refunds',
      header: t('refunds'),
      cell: (p) =>
        p.refunds.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="plain">
            {p.refunds.map((r) => (
              <li key={r.id}>
                <span className="amount">{formatMoney(r.amount)}</span> · {t(`status.${r.status}`)}
                {r.reason && <span className="muted"> · {r.reason}</span>}
              </li>
            ))}
          </ul>
        ),
    },
    {
      key: 'disputes',
      header: t('disputes'),
      cell: (p) =>
        p.disputes.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="plain">
            {p.disputes.map((d) => (
              <li key={d.id}>
                <span className="amount">{formatMoney(d.amount)}</span> · {t(`dispute.${d.status}`)}
                {d.reason && <span className="muted"> · {d.reason}</span>}
              </li>
            ))}
          </ul>
        ),
    },
    moneyColumn('amountRefunded', t('refunded')),
  ];
  const info = result.data?.payments.pageInfo;
  return (
    <>
      <ErrorNotice error={result.error} />
      {(rows.length > 0 || after === null) && (
        <DataTable
          caption={t('historyCaption')}
          columns={columns}
          rows={rows}
          rowKey={(p) => p.id}
          empty={t('noPayments')}
        />
      )}
      {last && info?.hasNextPage && info.endCursor && (
        <button type="button" className="secondary" onClick={() => onMore(info.endCursor!)}>
          {t('loadMore')}
        </button>
      )}
    </>
  );
}

/** Top-ups with their status and refunds, newest first; `refreshKey` changes when a payment settles. */
export function PaymentHistory({ refreshKey }: { refreshKey: number }) {
  const t = useT(messages);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return (
    <Card title={t('history')}>
      {cursors.map((after, i) => (
        // A new refreshKey (a payment settled) remounts the pages, which fetch them again.
        <HistoryPage
          key={`${refreshKey}:${after ?? 'first'}`}
          after={after}
          last={i === cursors.length - 1}
          onMore={(c) => setCursors((cs) => [...cs, c])}
        />
      ))}
    </Card>
  );
}
