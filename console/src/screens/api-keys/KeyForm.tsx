import { type FormEvent, useId, useState } from 'react';
import type { ApiKeyFieldsFragment, ApiScope } from '../../gql/graphql';
import { formatNanosExact, parseMajorToNanos } from '../../ui/money';
import type { T } from './messages';

export const ALL_SCOPES: ApiScope[] = ['INFERENCE', 'READ', 'MANAGE', 'BILLING'];

/** What both createApiKey and updateApiKey take (null clears a limit on update). */
export interface KeyFields {
  name: string;
  scopes: ApiScope[];
  modelAllowlist: string[];
  budgetNanos: string | null;
  dailyCapNanos: string | null;
  budgetCurrency: string | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
}

interface Draft {
  name: string;
  scopes: ApiScope[];
  models: string;
  budget: string;
  dailyCap: string;
  currency: string;
  rpm: string;
  tpm: string;
}

function draftOf(key: ApiKeyFieldsFragment | null): Draft {
  return {
    name: key?.name ?? '',
    scopes: key?.scopes ?? ['INFERENCE'],
    models: key?.modelAllowlist.join(', ') ?? '',
    budget: key?.budgetNanos ? formatNanosExact(key.budgetNanos) : '',
    dailyCap: key?.dailyCapNanos ? formatNanosExact(key.dailyCapNanos) : '',
    currency: key?.budgetCurrency ?? 'USD',
    rpm: key?.rpmLimit?.toString() ?? '',
    tpm: key?.tpmLimit?.toString() ?? '',
  };
}

/** Checks what a person can fix before asking the gateway; the gateway's validation remains the truth. */
function fieldsOf(d: Draft, t: T): KeyFields | string {
  if (d.scopes.length === 0) return t('needScope');
  const amount = (text: string, label: string): string | null | Error => {
    if (text.trim() === '') return null;
    return parseMajorToNanos(text) ?? new Error(t('badAmount', { field: label }));
  };
  const int = (text: string, label: string): number | null | Error => {
    if (text.trim() === '') return null;
    return /^\s*\d{1,9}\s*$/.test(text)
      ? Number.parseInt(text, 10)
      : new Error(t('badInt', { field: label }));
  };
  const budgetNanos = amount(d.budget, t('budgetMajor'));
  const dailyCapNanos = amount(d.dailyCap, t('dailyCapMajor'));
  const rpmLimit = int(d.rpm, t('rpm'));
  const tpmLimit = int(d.tpm, t('tpm'));
  for (const v of [budgetNanos, dailyCapNanos, rpmLimit, tpmLimit]) if (v instanceof Error) return v.message;
  return {
    name: d.name.trim(),
    scopes: d.scopes,
    modelAllowlist: d.models
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean),
    budgetNanos: budgetNanos as string | null,
    dailyCapNanos: dailyCapNanos as string | null,
    // The currency only means something with a budget or a cap (the gateway requires it then).
    budgetCurrency: budgetNanos !== null || dailyCapNanos !== null ? d.currency.trim().toUpperCase() : null,
    rpmLimit: rpmLimit as number | null,
    tpmLimit: tpmLimit as number | null,
  };
}

/** Create or edit a key: name, scopes, model allowlist, budget, daily cap and rate limits. */
export function KeyForm({
  t,
  initial,
  title,
  busy,
  onSubmit,
  onCancel,
}: {
  t: T;
  initial: ApiKeyFieldsFragment | null;
  title: string;
  busy: boolean;
  onSubmit: (fields: KeyFields) => void;
  onCancel: () => void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(initial));
  const [problem, setProblem] = useState<string | null>(null);
  const headingId = useId();
  const set = (patch: Partial<Draft>) => setD((old) => ({ ...old, ...patch }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const fields = fieldsOf(d, t);
    if (typeof fields === 'string') {
      setProblem(fields);
      return;
    }
    setProblem(null);
    onSubmit(fields);
  };
  const toggleScope = (s: ApiScope, on: boolean) =>
    set({ scopes: on ? [...d.scopes, s] : d.scopes.filter((x) => x !== s) });
  return (
    <form className="card key-form" aria-labelledby={headingId} onSubmit={submit}>
      <h2 id={headingId}>{title}</h2>
      <div>
        <label>
          {t('name')}
          <input required maxLength={100} value={d.name} onChange={(e) => set({ name: e.target.value })} />
        </label>
      </div>
      <fieldset className="scopes">
        <legend>{t('scopes')}</legend>
        {ALL_SCOPES.map((s) => (
          <label key={s} className="check">
            <input
              type="checkbox"
              checked={d.scopes.includes(s)}
              onChange={(e) => toggleScope(s, e.target.checked)}
            />
            {t(`scope${s}`)}
          </label>
        ))}
      </fieldset>
      <div>
        <label className="wide">
          {t('modelAllowlist')}
          <input
            value={d.models}
            onChange={(e) => set({ models: e.target.value })}
            placeholder="gpt-4o-mini, o3"
          />
        </label>
      </div>
      <div>
        <label>
          {`${t('budgetMajor')} (${t('optional')})`}
          <input inputMode="decimal" value={d.budget} onChange={(e) => set({ budget: e.target.value })} />
        </label>
        <label>
          {`${t('dailyCapMajor')} (${t('optional')})`}
          <input inputMode="decimal" value={d.dailyCap} onChange={(e) => set({ dailyCap: e.target.value })} />
        </label>
        <label>
          {t('currency')}
          <input
            maxLength={3}
            size={4}
            value={d.currency}
            onChange={(e) => set({ currency: e.target.value })}
          />
        </label>
      </div>
      <div>
        <label>
          {`${t('rpm')} (${t('optional')})`}
          <input inputMode="numeric" value={d.rpm} onChange={(e) => set({ rpm: e.target.value })} />
        </label>
        <label>
          {`${t('tpm')} (${t('optional')})`}
          <input inputMode="numeric" value={d.tpm} onChange={(e) => set({ tpm: e.target.value })} />
        </label>
      </div>
      {problem && (
        <p role="alert" className="notice notice-error">
          {problem}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {t('save')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
