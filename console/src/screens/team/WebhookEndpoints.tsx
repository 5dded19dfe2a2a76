import { type FormEvent, useState } from 'react';
import { type CombinedError, useMutation, useQuery } from 'urql';
import type { WebhookEndpointsQuery as Endpoints } from '../../gql/graphql';
import { useLocale, useT } from '../../i18n';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { type Column, DataTable } from '../../ui/DataTable';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { OnceSecret } from '../../ui/OnceSecret';
import { Card } from '../../ui/Page';
import { NOTIFICATION_TYPES, TypeChoices } from './NotificationSettings';
import { WebhookDeliveries } from './WebhookDeliveries';
import { messages } from './messages';
import {
  CreateWebhookEndpointMutation,
  DeleteWebhookEndpointMutation,
  RotateWebhookSecretMutation,
  UpdateWebhookEndpointMutation,
  WebhookEndpointsQuery,
} from './operations';

type Endpoint = Endpoints['webhookEndpoints'][number];

/** The secret the gateway showed once (after create or rotate), until the person moves on. */
interface ShownSecret {
  endpointId: string;
  secret: string;
  previousSecretExpiresAt: string | null;
}

function EditUrl({ endpoint, onSave }: { endpoint: Endpoint; onSave: (url: string) => Promise<boolean> }) {
  const t = useT(messages);
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState(endpoint.url);
  if (!open)
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        {t('edit')}
      </button>
    );
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSave(url.trim()).then((ok) => ok && setOpen(false));
      }}
    >
      <label>
        {t('newUrl')}
        <input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <div className="form-submit row-actions">
        <button type="submit">{t('save')}</button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

/**
 * Endpoints: create (the signing secret is shown once), change URL, enable/disable, rotate the secret
 * (shown once; the old one keeps signing for the grace period), delete; and each one's delivery log.
 */
export function WebhookEndpoints({
  organizationId,
  canManage,
}: {
  organizationId: string;
  canManage: boolean;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [result, refetch] = useQuery({
    query: WebhookEndpointsQuery,
    variables: { organizationId },
    pause: !canManage,
  });
  const [created, createEndpoint] = useMutation(CreateWebhookEndpointMutation);
  const [, updateEndpoint] = useMutation(UpdateWebhookEndpointMutation);
  const [, rotateSecret] = useMutation(RotateWebhookSecretMutation);
  const [, deleteEndpoint] = useMutation(DeleteWebhookEndpointMutation);
  const [error, setError] = useState<CombinedError | null>(null);
  const [shown, setShown] = useState<ShownSecret | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<Set<string>>(new Set());
  if (!canManage) return null;

  async function run(op: () => Promise<{ error?: CombinedError }>): Promise<boolean> {
    const res = await op();
    setError(res.error ?? null);
    if (!res.error) refetch({ requestPolicy: 'network-only' });
    return !res.error;
  }

  async function create(e: FormEvent) {
    e.preventDefault();
    setShown(null);
    const res = await createEndpoint({
      input: { organizationId, url: url.trim(), eventTypes: NOTIFICATION_TYPES.filter((x) => types.has(x)) },
    });
    setError(res.error ?? null);
    const out = res.data?.createWebhookEndpoint;
    if (out) {
      setShown({ endpointId: out.endpoint.id, secret: out.secret, previousSecretExpiresAt: null });
      setUrl('');
      setTypes(new Set());
      refetch({ requestPolicy: 'network-only' });
    }
  }

  async function rotate(id: string) {
    setShown(null);
    const res = await rotateSecret({ id });
    setError(res.error ?? null);
    const out = res.data?.rotateWebhookSecret;
    if (out)
      setShown({
        endpointId: out.endpoint.id,
        secret: out.secret,
        previousSecretExpiresAt: out.previousSecretExpiresAt ?? null,
      });
  }

  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const endpoints = result.data?.webhookEndpoints ?? [];
  const columns: Column<Endpoint>[] = [
    { key: 'url', header: t('url'), cell: (e) => <code>{e.url}</code> },
    {
      key: 'types',
      header: t('eventTypes'),
      cell: (e) => (e.eventTypes.length === 0 ? t('allEvents') : e.eventTypes.join(', ')),
    },
    {
      key: 'status',
      header: t('status'),
      cell: (e) => <span className={`badge badge-${e.status.toLowerCase()}`}>{t(`status.${e.status}`)}</span>,
    },
    {
      key: 'actions',
      header: t('actions'),
      cell: (e) => (
        <div className="row-actions">
          <button
            type="button"
            className="secondary"
            aria-pressed={selected === e.id}
            aria-label={t('deliveriesOf', { url: e.url })}
            onClick={() => setSelected(selected === e.id ? null : e.id)}
          >
            {t('showDeliveries')}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() =>
              void run(() =>
                updateEndpoint({
                  id: e.id,
                  input: { status: e.status === 'ACTIVE' ? 'DISABLED' : 'ACTIVE' },
                }),
              )
            }
          >
            {e.status === 'ACTIVE' ? t('disable') : t('enable')}
          </button>
          <button type="button" className="secondary" onClick={() => void rotate(e.id)}>
            {t('rotate')}
          </button>
          <EditUrl
            endpoint={e}
            onSave={(next) => run(() => updateEndpoint({ id: e.id, input: { url: next } }))}
          />
          <ConfirmButton
            label={`${t('delete')} ${e.url}`}
            text={t('delete')}
            confirmText={t('confirm')}
            cancelText={t('cancel')}
            onConfirm={() =>
              void run(() => deleteEndpoint({ id: e.id })).then((ok) => {
                if (ok && selected === e.id) setSelected(null);
              })
            }
          />
        </div>
      ),
    },
  ];
  const selectedEndpoint = endpoints.find((e) => e.id === selected);

  return (
    <>
      <Card title={t('webhooks')}>
        <ErrorNotice error={result.error ?? error} />
        {shown && (
          <OnceSecret
            label={t('secret')}
            value={shown.secret}
            note={
              shown.previousSecretExpiresAt
                ? t('rotatedNote', { until: dates.format(new Date(shown.previousSecretExpiresAt)) })
                : t('secretNote')
            }
            copyLabel={t('copy')}
            copiedLabel={t('copied')}
          />
        )}
        <DataTable
          caption={t('webhooksCaption')}
          columns={columns}
          rows={endpoints}
          rowKey={(e) => e.id}
          empty={t('noEndpoints')}
        />
        <form onSubmit={create}>
          <label className="wide">
            {t('url')}
            <input
              type="url"
              required
              placeholder="https://example.com/hooks/tollgate"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
          </label>
          <TypeChoices legend={t('eventTypes')} hint={t('allEventsHint')} types={types} onChange={setTypes} />
          <button type="submit" disabled={created.fetching || !url.trim()}>
            {t('createEndpoint')}
          </button>
        </form>
      </Card>
      {selectedEndpoint && <WebhookDeliveries key={selectedEndpoint.id} endpoint={selectedEndpoint} />}
    </>
  );
}
