import { type FormEvent, useState } from 'react';
import { useQuery } from 'urql';
import { useT } from '../../../i18n';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { rawId } from '../../../ui/ids';
import { messages } from './messages';
import { EffectiveRiskSettingsDocument } from './operations';

/** What the gateway enforces for an organization (and a user or key in it): every layer merged. */
export function EffectiveSettings() {
  const t = useT(messages);
  const [form, setForm] = useState({ organizationId: '', userId: '', apiKeyId: '' });
  const [asked, setAsked] = useState<typeof form | null>(null);
  const [{ data, error }] = useQuery({
    query: EffectiveRiskSettingsDocument,
    variables: {
      organizationId: asked?.organizationId ?? '',
      userId: asked?.userId ? rawId(asked.userId) : null,
      apiKeyId: asked?.apiKeyId ? rawId(asked.apiKeyId) : null,
    },
    pause: !asked,
    requestPolicy: 'network-only',
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAsked({ ...form, organizationId: form.organizationId.trim() });
  };
  const field = (k: keyof typeof form) => (
    <label>
      {t(k)}
      <input
        required={k === 'organizationId'}
        value={form[k]}
        onChange={(e) => setForm({ ...form, [k]: e.target.value.trim() })}
      />
    </label>
  );
  return (
    <form onSubmit={submit} aria-label={t('effective')}>
      <p className="field-hint">{t('effectiveHint')}</p>
      <div className="form-row">
        {field('organizationId')}
        {field('userId')}
        {field('apiKeyId')}
        <button type="submit">{t('show')}</button>
      </div>
      <ErrorNotice error={error} />
      {asked && data && <pre className="json">{JSON.stringify(data.effectiveRiskSettings, null, 2)}</pre>}
    </form>
  );
}
