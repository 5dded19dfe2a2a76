import { type FormEvent, useState } from 'react';
import type { RiskScopeType } from '../../../gql/graphql';
import { useT } from '../../../i18n';
import '../../../ui/forms.css';
import { Card, Page } from '../../../ui/Page';
import { rawId } from '../../../ui/ids';
import { EffectiveSettings } from './EffectiveSettings';
import { messages } from './messages';
import { SettingsEditor } from './SettingsEditor';

const SCOPES: RiskScopeType[] = ['GLOBAL', 'ORGANIZATION', 'USER', 'API_KEY'];

/** Operators: risk settings per scope (global → organization → user → key) and what is in effect. */
export default function RiskScreen() {
  const t = useT(messages);
  const [scopeType, setScopeType] = useState<RiskScopeType>('GLOBAL');
  const [scopeId, setScopeId] = useState('');
  const [open, setOpen] = useState<{ scopeType: RiskScopeType; scopeId: string | null }>({
    scopeType: 'GLOBAL',
    scopeId: null,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // User and key scopes are stored under raw ids (`user_…`, `key_…`); a pasted global id is unwrapped.
    setOpen({ scopeType, scopeId: scopeType === 'GLOBAL' ? null : rawId(scopeId.trim()) || null });
  };
  return (
    <Page title={t('title')}>
      <Card title={t('scope')}>
        <form onSubmit={submit} aria-label={t('scope')}>
          <div className="form-row">
            <label>
              {t('scopeType')}
              <select value={scopeType} onChange={(e) => setScopeType(e.target.value as RiskScopeType)}>
                {SCOPES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            {scopeType !== 'GLOBAL' && (
              <label>
                {t('scopeId')}
                <input required value={scopeId} onChange={(e) => setScopeId(e.target.value)} />
              </label>
            )}
            <button type="submit">{t('load')}</button>
          </div>
          <p className="field-hint">{t('scopeIdHint')}</p>
        </form>
        <SettingsEditor key={`${open.scopeType}:${open.scopeId ?? ''}`} {...open} />
      </Card>
      <Card title={t('effective')}>
        <EffectiveSettings />
      </Card>
    </Page>
  );
}
