import { useMemo, useState } from 'react';
import { type CombinedError, useMutation, useQuery } from 'urql';
import type { ApiKeyFieldsFragment } from '../../gql/graphql';
import { useT } from '../../i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Page } from '../../ui/Page';
import { useViewer } from '../../viewer';
import { KeyForm, type KeyFields } from './KeyForm';
import { KeyTable } from './KeyTable';
import { RevokeConfirm } from './RevokeConfirm';
import { SecretPanel, type ShownSecret } from './SecretPanel';
import { messages } from './messages';
import {
  ApiKeysDocument,
  CreateApiKeyDocument,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  UpdateApiKeyDocument,
} from './operations';
import './api-keys.css';

type Key = ApiKeyFieldsFragment;
type Mode = { kind: 'list' } | { kind: 'create' } | { kind: 'edit'; key: Key } | { kind: 'revoke'; key: Key };

// Mutations returning an ApiKey refresh this list (urql's document cache invalidates by typename; an
// empty list names no ApiKey, hence the explicit typename).
const LIST_CONTEXT = { additionalTypenames: ['ApiKey'] };

/**
 * API keys: list, create (the secret shown once), edit limits, rotate (new secret, the old one keeps
 * working for its grace period), revoke. Who sees which keys and who may change them is the gateway's
 * decision (`apiKeys`: members their own, admins and owners the organization's); the screen only hides
 * the actions a viewer without the MANAGE scope cannot take.
 */
export default function ApiKeysScreen() {
  const t = useT(messages);
  const { viewer } = useViewer();
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [shown, setShown] = useState<ShownSecret | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [list] = useQuery({ query: ApiKeysDocument, variables: { includeRevoked }, context: LIST_CONTEXT });
  const [created, create] = useMutation(CreateApiKeyDocument);
  const [updated, update] = useMutation(UpdateApiKeyDocument);
  const [rotated, rotate] = useMutation(RotateApiKeyDocument);
  const [revoked, revoke] = useMutation(RevokeApiKeyDocument);
  // The last action's error only: a later success or a cancelled form clears it.
  const [error, setError] = useState<CombinedError | null>(null);
  const toList = () => {
    setMode({ kind: 'list' });
    setError(null);
  };
  const busy = created.fetching || updated.fetching || rotated.fetching || revoked.fetching;

  const canManage = viewer.kind === 'platform_admin' || viewer.scopes.includes('MANAGE');
  const showOwner = viewer.kind === 'platform_admin' || viewer.role === 'OWNER' || viewer.role === 'ADMIN';
  const keys = useMemo(() => list.data?.apiKeys.edges.map((e) => e.node) ?? [], [list.data]);

  const onCreate = async (f: KeyFields) => {
    const { name, scopes, modelAllowlist, rpmLimit, tpmLimit, budgetNanos, dailyCapNanos, budgetCurrency } =
      f;
    const res = await create({
      input: {
        name,
        scopes,
        ...(modelAllowlist.length ? { modelAllowlist } : {}),
        ...(budgetNanos ? { budgetNanos } : {}),
        ...(dailyCapNanos ? { dailyCapNanos } : {}),
        ...(budgetCurrency ? { budgetCurrency } : {}),
        ...(rpmLimit !== null ? { rpmLimit } : {}),
        ...(tpmLimit !== null ? { tpmLimit } : {}),
      },
    });
    setError(res.error ?? null);
    if (res.data) {
      setShown({ name: res.data.createApiKey.apiKey.name, secret: res.data.createApiKey.secret });
      setMode({ kind: 'list' });
      setNotice(null);
    }
  };
  const onUpdate = async (key: Key, f: KeyFields) => {
    // Every field is sent: an emptied limit is null, which clears it.
    const res = await update({ input: { id: key.id, ...f } });
    setError(res.error ?? null);
    if (res.data) {
      setMode({ kind: 'list' });
      setNotice(t('saved', { name: res.data.updateApiKey.name }));
    }
  };
  const onRotate = async (key: Key) => {
    setNotice(null);
    const res = await rotate({ id: key.id });
    setError(res.error ?? null);
    if (res.data) {
      const r = res.data.rotateApiKey;
      setShown({
        name: r.apiKey.name,
        secret: r.secret,
        previous: r.previous
          ? { prefix: r.previous.prefix, graceUntil: r.previous.graceUntil ?? null }
          : null,
      });
    }
  };
  const onRevoke = async (key: Key) => {
    const res = await revoke({ id: key.id });
    setError(res.error ?? null);
    if (res.data) {
      setMode({ kind: 'list' });
      setNotice(t('revoked', { name: key.name }));
    }
  };

  return (
    <Page
      title={t('title')}
      actions={
        canManage && mode.kind === 'list' ? (
          <button type="button" onClick={() => setMode({ kind: 'create' })}>
            {t('create')}
          </button>
        ) : null
      }
    >
      {shown && <SecretPanel t={t} shown={shown} onDone={() => setShown(null)} />}
      {notice && (
        <p role="status" className="notice notice-ok">
          {notice}
        </p>
      )}
      <ErrorNotice error={error} />
      {mode.kind === 'create' && (
        <KeyForm t={t} initial={null} title={t('newKey')} busy={busy} onSubmit={onCreate} onCancel={toList} />
      )}
      {mode.kind === 'edit' && (
        <KeyForm
          key={mode.key.id}
          t={t}
          initial={mode.key}
          title={t('editKey', { name: mode.key.name })}
          busy={busy}
          onSubmit={(f) => onUpdate(mode.key, f)}
          onCancel={toList}
        />
      )}
      {mode.kind === 'revoke' && (
        <RevokeConfirm
          t={t}
          name={mode.key.name}
          busy={busy}
          onConfirm={() => onRevoke(mode.key)}
          onCancel={toList}
        />
      )}
      <div className="list-options">
        <label className="check">
          <input
            type="checkbox"
            checked={includeRevoked}
            onChange={(e) => setIncludeRevoked(e.target.checked)}
          />
          {t('showRevoked')}
        </label>
      </div>
      <ErrorNotice error={list.error} />
      <div className="keys-table">
        <KeyTable
          t={t}
          keys={keys}
          canManage={canManage}
          showOwner={showOwner}
          onEdit={(key) => setMode({ kind: 'edit', key })}
          onRotate={onRotate}
          onRevoke={(key) => setMode({ kind: 'revoke', key })}
        />
      </div>
      {list.data?.apiKeys.pageInfo.hasNextPage && <p className="muted">{t('firstHundred')}</p>}
    </Page>
  );
}
