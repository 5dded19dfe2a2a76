import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import type { RiskScopeType } from '../../../gql/graphql';
import { useT } from '../../../i18n';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { JsonField, parseJsonText } from '../../../ui/JsonField';
import { StatusNotice } from '../../../ui/StatusNotice';
import { KNOWN_FIELDS, SECTIONS, readField, writeField } from './fields';
import { messages } from './messages';
import { DeleteRiskSettingsDocument, RiskSettingsDocument, SetRiskSettingsDocument } from './operations';
import { ValidationIssues } from './ValidationIssues';

/** One scope's stored settings: known fields as a form, the whole object as JSON; both edit one text. */
export function SettingsEditor({ scopeType, scopeId }: { scopeType: RiskScopeType; scopeId: string | null }) {
  const t = useT(messages);
  const [{ data, error }, refetch] = useQuery({
    query: RiskSettingsDocument,
    variables: { scopeType, scopeId },
    requestPolicy: 'network-only',
  });
  const [text, setText] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [saveState, save] = useMutation(SetRiskSettingsDocument);
  const [deleteState, remove] = useMutation(DeleteRiskSettingsDocument);
  const stored = data?.riskSettings.settings ?? null;
  const current = text ?? JSON.stringify(stored ?? {}, null, 2);
  const parsed = parseJsonText(current);
  const scopeName = scopeId ? `${scopeType} ${scopeId}` : scopeType;
  const edit = (next: string) => {
    setText(next);
    setDone(null);
  };

  async function submit() {
    if (!parsed.ok) return;
    setDone(null);
    const res = await save({ scopeType, scopeId, settings: parsed.value ?? {} });
    if (res.data) {
      setText(null);
      setDone(t('saved'));
      refetch({ requestPolicy: 'network-only' });
    }
  }

  async function del() {
    if (!window.confirm(t('confirmDelete', { scope: scopeName }))) return;
    const res = await remove({ scopeType, scopeId });
    if (res.data) {
      setText(null);
      setDone(t('deleted'));
      refetch({ requestPolicy: 'network-only' });
    }
  }

  if (error) return <ErrorNotice error={error} />;
  if (!data) return null;
  return (
    <section aria-label={t('stored', { scope: scopeName })}>
      <h3>{t('stored', { scope: scopeName })}</h3>
      {stored === null && <p className="muted">{t('nothingStored')}</p>}
      <p className="field-hint">{parsed.ok ? t('formHint') : t('formDisabled')}</p>
      {SECTIONS.map((section) => (
        <fieldset key={section} disabled={!parsed.ok}>
          <legend>{t(section)}</legend>
          <div className="form-row">
            {KNOWN_FIELDS.filter((f) => f.path[0] === section).map((f) => {
              const key = f.path.join('.') as Parameters<typeof t>[0];
              const value = parsed.ok ? readField(parsed.value, f) : '';
              const set = (v: string) =>
                parsed.ok && edit(JSON.stringify(writeField(parsed.value, f, v), null, 2));
              return f.kind === 'disputeFreeze' ? (
                <label key={key}>
                  {t(key)}
                  <select value={value} onChange={(e) => set(e.target.value)}>
                    <option value="">{t('unset')}</option>
                    <option value="disputed_amount">{t('freezeDisputed')}</option>
                    <option value="none">{t('freezeNone')}</option>
                  </select>
                </label>
              ) : (
                <label key={key}>
                  {t(key)}
                  <input
                    inputMode={f.kind === 'count' ? 'numeric' : 'text'}
                    value={value}
                    onChange={(e) => set(e.target.value)}
                  />
                </label>
              );
            })}
          </div>
        </fieldset>
      ))}
      <JsonField
        label={t('json')}
        value={current}
        onChange={edit}
        invalidLabel={t('invalidJson')}
        rows={12}
      />
      <ErrorNotice error={saveState.error ?? deleteState.error} />
      <ValidationIssues error={saveState.error} label={t('issues')} />
      <StatusNotice>{done}</StatusNotice>
      <div className="row-actions">
        <button type="button" disabled={!parsed.ok || saveState.fetching} onClick={submit}>
          {t('save')}
        </button>
        {stored !== null && (
          <button type="button" className="danger" onClick={del}>
            {t('delete')}
          </button>
        )}
      </div>
    </section>
  );
}
