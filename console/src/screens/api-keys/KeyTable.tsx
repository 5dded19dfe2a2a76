import type { ApiKeyFieldsFragment } from '../../gql/graphql';
import { useLocale } from '../../i18n';
import { type Column, DataTable } from '../../ui/DataTable';
import { formatDateTime } from '../../ui/dates';
import { formatMoney } from '../../ui/money';
import type { T } from './messages';

type Key = ApiKeyFieldsFragment;

function limitText(nanos: string | null | undefined, currency: string | null | undefined, t: T) {
  return nanos
    ? formatMoney({ amount: nanos, currency: currency ?? '', unit: 'NANO' }, { digits: 2 })
    : t('none');
}

/** The keys with their limits and state; actions only when the viewer may manage keys. */
export function KeyTable({
  t,
  keys,
  canManage,
  showOwner,
  onEdit,
  onRotate,
  onRevoke,
}: {
  t: T;
  keys: readonly Key[];
  canManage: boolean;
  showOwner: boolean;
  onEdit: (k: Key) => void;
  onRotate: (k: Key) => void;
  onRevoke: (k: Key) => void;
}) {
  const { locale } = useLocale();
  const when = (iso: string) => formatDateTime(iso, locale);
  const status = (k: Key) => {
    if (k.revokedAt)
      return <span className="status status-off">{t('revokedOn', { at: when(k.revokedAt) })}</span>;
    // A rotated key ends at graceUntil, any key at expiresAt; whichever comes first.
    const ends = [k.graceUntil, k.expiresAt].filter((d): d is string => !!d).sort()[0];
    if (ends && Date.parse(ends) <= Date.now())
      return <span className="status status-off">{t('expiredOn', { at: when(ends) })}</span>;
    if (k.graceUntil) return <span className="status">{t('graceUntil', { at: when(k.graceUntil) })}</span>;
    if (k.expiresAt) return <span className="status">{t('expiresOn', { at: when(k.expiresAt) })}</span>;
    return <span className="status status-on">{t('active')}</span>;
  };
  const limits = (k: Key) => {
    const lines = [
      k.budgetNanos ? `${t('budget')}: ${limitText(k.budgetNanos, k.budgetCurrency, t)}` : null,
      k.dailyCapNanos ? `${t('dailyCap')}: ${limitText(k.dailyCapNanos, k.budgetCurrency, t)}` : null,
      k.rpmLimit !== null && k.rpmLimit !== undefined ? t('rpmShort', { n: k.rpmLimit }) : null,
      k.tpmLimit !== null && k.tpmLimit !== undefined ? t('tpmShort', { n: k.tpmLimit }) : null,
    ].filter((l): l is string => l !== null);
    if (lines.length === 0) return t('none');
    return (
      <ul className="plain amount">
        {lines.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    );
  };
  const columns: Column<Key>[] = [
    {
      key: 'name',
      header: showOwner ? `${t('name')} / ${t('owner')}` : t('name'),
      cell: (k) => (
        <>
          <strong>{k.name}</strong>
          {showOwner && <div className="muted small">{k.user.email}</div>}
        </>
      ),
    },
    { key: 'prefix', header: t('prefix'), cell: (k) => <code className="nowrap">{k.prefix}…</code> },
    { key: 'scopes', header: t('scopes'), cell: (k) => k.scopes.join(', ') },
    {
      key: 'models',
      header: t('models'),
      cell: (k) => (k.modelAllowlist.length ? k.modelAllowlist.join(', ') : t('allModels')),
    },
    { key: 'limits', header: t('limits'), cell: limits },
    { key: 'used', header: t('lastUsed'), cell: (k) => (k.lastUsedAt ? when(k.lastUsedAt) : t('never')) },
    { key: 'status', header: t('status'), cell: status },
  ];
  if (canManage)
    columns.push({
      key: 'actions',
      header: t('actions'),
      cell: (k) =>
        k.revokedAt ? null : (
          <div className="row-actions">
            <button
              type="button"
              className="secondary"
              aria-label={t('editOf', { name: k.name, prefix: k.prefix })}
              onClick={() => onEdit(k)}
            >
              {t('edit')}
            </button>
            <button
              type="button"
              className="secondary"
              aria-label={t('rotateOf', { name: k.name, prefix: k.prefix })}
              onClick={() => onRotate(k)}
            >
              {t('rotate')}
            </button>
            <button
              type="button"
              className="danger"
              aria-label={t('revokeOf', { name: k.name, prefix: k.prefix })}
              onClick={() => onRevoke(k)}
            >
              {t('revoke')}
            </button>
          </div>
        ),
    });
  return (
    <DataTable caption={t('caption')} columns={columns} rows={keys} rowKey={(k) => k.id} empty={t('empty')} />
  );
}
