import { useMutation, useQuery } from 'urql';
import { useT } from '../../i18n';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { DataTable } from '../../ui/DataTable';
import { formatUtc } from '../../ui/dates';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Card } from '../../ui/Page';
import { messages } from './messages';
import { RevokeSessionDocument, SessionsDocument } from './operations';

/** Where this person is signed in; any other session can be signed out from here. */
export function Sessions() {
  const t = useT(messages);
  const [{ data, error }, refetch] = useQuery({ query: SessionsDocument, requestPolicy: 'network-only' });
  const [revoked, revoke] = useMutation(RevokeSessionDocument);

  async function signOut(id: string) {
    const r = await revoke({ id });
    if (!r.error) refetch({ requestPolicy: 'network-only' });
  }

  return (
    <Card title={t('sessions')}>
      <ErrorNotice error={error ?? revoked.error} />
      <DataTable
        caption={t('sessions')}
        rows={data?.sessions ?? []}
        rowKey={(s) => s.id}
        empty={t('noSessions')}
        columns={[
          {
            key: 'agent',
            header: t('userAgent'),
            cell: (s) => (
              <>
                {s.userAgent ?? '—'} {s.current && <strong>({t('thisBrowser')})</strong>}
              </>
            ),
          },
          { key: 'created', header: t('created'), cell: (s) => formatUtc(s.createdAt) },
          { key: 'seen', header: t('lastSeen'), cell: (s) => formatUtc(s.lastSeenAt) },
          { key: 'expires', header: t('expires'), cell: (s) => formatUtc(s.expiresAt) },
          {
            key: 'actions',
            header: t('actions'),
            // This browser signs out with the shell's "Sign out"; here, the others.
            cell: (s) =>
              s.current ? null : (
                <ConfirmButton
                  label={`${t('signOutSession')} ${s.userAgent ?? s.id}`}
                  text={t('signOutSession')}
                  confirmText={t('confirm')}
                  cancelText={t('cancel')}
                  disabled={revoked.fetching}
                  onConfirm={() => void signOut(s.id)}
                />
              ),
          },
        ]}
      />
    </Card>
  );
}
