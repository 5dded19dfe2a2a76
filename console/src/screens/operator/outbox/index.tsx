import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import type { OutboxStatus } from '../../../gql/graphql';
import { useT } from '../../../i18n';
import '../../../ui/forms.css';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { Card, Page } from '../../../ui/Page';
import { PagedTable, StatusFilter, useCursor } from '../../../ui/PagedTable';
import { StatusNotice } from '../../../ui/StatusNotice';
import { formatUtc } from '../../../ui/dates';
import { messages } from './messages';
import { OutboxDeliveriesDocument, ReplayDeliveryDocument } from './operations';

const STATUSES: OutboxStatus[] = ['DEAD', 'PENDING', 'PROCESSING', 'DELIVERED'];
const PAGE = 50;

/** Operators: outbox deliveries (Lago, LiteLLM budgets, webhooks) by status and topic; replay dead letters. */
export default function OutboxScreen() {
  const t = useT(messages);
  const [status, setStatus] = useState<OutboxStatus | ''>('DEAD');
  const [topic, setTopic] = useState('');
  const [after, setAfter] = useCursor({ status, topic });
  const [{ data, error, fetching }, refetch] = useQuery({
    query: OutboxDeliveriesDocument,
    variables: { first: PAGE, after, status: status ? [status] : null, topic: topic.trim() || null },
  });
  const [replayState, replay] = useMutation(ReplayDeliveryDocument);
  const [replayed, setReplayed] = useState<string | null>(null);
  const rows = (data?.outboxDeliveries.edges ?? []).map((e) => e.node);
  const pageInfo = data?.outboxDeliveries.pageInfo;

  return (
    <Page title={t('title')}>
      <Card title={t('deliveries')}>
        <div className="form-row">
          <StatusFilter
            label={t('status')}
            value={status}
            statuses={STATUSES}
            onChange={setStatus}
            optionLabel={(s) => (s === 'DEAD' ? `${s} (${t('dead')})` : s)}
          />
          <label>
            {t('topic')}
            <input value={topic} placeholder={t('topicHint')} onChange={(e) => setTopic(e.target.value)} />
          </label>
        </div>
        <ErrorNotice error={error ?? replayState.error} />
        <StatusNotice>{replayed}</StatusNotice>
        <PagedTable
          loading={fetching && !data}
          pageInfo={pageInfo}
          after={after}
          onAfter={setAfter}
          caption={t('deliveries')}
          rows={rows}
          rowKey={(m) => m.id}
          empty={t('none')}
          columns={[
            { key: 'created', header: t('created'), cell: (m) => formatUtc(m.createdAt) },
            { key: 'topic', header: t('topic'), cell: (m) => <code>{m.topic}</code> },
            {
              key: 'status',
              header: t('status'),
              cell: (m) => (
                <span
                  className={`badge ${m.status === 'DEAD' ? 'badge-bad' : m.status === 'DELIVERED' ? 'badge-ok' : ''}`}
                >
                  {m.status}
                </span>
              ),
            },
            { key: 'attempts', header: t('attempts'), align: 'right', cell: (m) => m.attempts },
            {
              key: 'next',
              header: t('next'),
              cell: (m) => (m.status === 'DELIVERED' ? formatUtc(m.deliveredAt) : formatUtc(m.nextAttemptAt)),
            },
            { key: 'error', header: t('lastError'), cell: (m) => m.lastError ?? '' },
            {
              key: 'payload',
              header: t('payload'),
              cell: (m) => (
                <details>
                  <summary>{t('showPayload')}</summary>
                  <pre className="json">{JSON.stringify(m.payload, null, 2)}</pre>
                  {m.requestId && (
                    <span className="muted">
                      {t('request')}: {m.requestId}
                    </span>
                  )}
                </details>
              ),
            },
            {
              key: 'actions',
              header: t('actions'),
              cell: (m) =>
                (m.status === 'DEAD' || m.status === 'PENDING') && (
                  <button
                    type="button"
                    aria-label={t('replayFor', { id: m.id })}
                    disabled={replayState.fetching}
                    onClick={async () => {
                      setReplayed(null);
                      const res = await replay({ id: m.id });
                      if (res.data) {
                        setReplayed(t('replayed', { id: m.id, status: res.data.replayDelivery.status }));
                        refetch({ requestPolicy: 'network-only' });
                      }
                    }}
                  >
                    {t('replay')}
                  </button>
                ),
            },
          ]}
        />
      </Card>
    </Page>
  );
}
