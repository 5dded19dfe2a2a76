import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import type { WebhookDeliveriesQuery as Deliveries } from '../../gql/graphql';
import { useLocale, useT } from '../../i18n';
import { type Column, DataTable } from '../../ui/DataTable';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Card } from '../../ui/Page';
import { messages } from './messages';
import { ReplayWebhookDeliveryMutation, WebhookDeliveriesQuery } from './operations';

type Delivery = Deliveries['webhookDeliveries']['edges'][number]['node'];

/** Replay puts a dead or waiting delivery back in line now; the gateway refuses the others. */
const REPLAYABLE = new Set(['DEAD', 'PENDING']);

export function WebhookDeliveries({ endpoint }: { endpoint: { id: string; url: string } }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [result, refetch] = useQuery({
    query: WebhookDeliveriesQuery,
    variables: { endpointId: endpoint.id },
    requestPolicy: 'network-only',
  });
  const [replayed, replay] = useMutation(ReplayWebhookDeliveryMutation);
  const [done, setDone] = useState<string | null>(null);
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' });
  const when = (d: string | null | undefined) => (d ? dates.format(new Date(d)) : '—');

  const columns: Column<Delivery>[] = [
    { key: 'created', header: t('created'), cell: (d) => when(d.createdAt) },
    { key: 'event', header: t('event'), cell: (d) => <code>{d.eventType}</code> },
    {
      key: 'status',
      header: t('status'),
      cell: (d) => <span className={`badge badge-${d.status.toLowerCase()}`}>{t(`status.${d.status}`)}</span>,
    },
    { key: 'attempts', header: t('attempts'), align: 'right', cell: (d) => d.attempts },
    { key: 'error', header: t('lastError'), cell: (d) => d.lastError ?? '' },
    {
      key: 'next',
      header: t('delivered'),
      cell: (d) => (d.deliveredAt ? when(d.deliveredAt) : `${t('nextAttempt')}: ${when(d.nextAttemptAt)}`),
    },
    {
      key: 'actions',
      header: t('actions'),
      cell: (d) =>
        REPLAYABLE.has(d.status) ? (
          <button
            type="button"
            className="secondary"
            aria-label={`${t('replay')} ${d.eventType} ${d.id}`}
            disabled={replayed.fetching}
            onClick={() =>
              void replay({ id: d.id }).then((res) => {
                if (res.error) return;
                setDone(t('replayed', { id: d.id }));
                refetch({ requestPolicy: 'network-only' });
              })
            }
          >
            {t('replay')}
          </button>
        ) : null,
    },
  ];

  return (
    <Card title={t('deliveriesOf', { url: endpoint.url })}>
      <ErrorNotice error={result.error ?? replayed.error} />
      {done && (
        <p role="status" className="notice notice-ok">
          {done}
        </p>
      )}
      <DataTable
        caption={t('deliveriesOf', { url: endpoint.url })}
        columns={columns}
        rows={result.data?.webhookDeliveries.edges.map((e) => e.node) ?? []}
        rowKey={(d) => d.id}
        empty={t('noDeliveries')}
      />
      <button type="button" className="secondary" onClick={() => refetch({ requestPolicy: 'network-only' })}>
        {t('refresh')}
      </button>
    </Card>
  );
}
