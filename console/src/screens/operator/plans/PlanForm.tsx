import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import type {
  LimitMetric,
  OperatorPlanFragment,
  OverflowPolicy,
  PlanKind,
  PlanStatus,
  PlanVisibility,
} from '../../../gql/graphql';
import { useT } from '../../../i18n';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { JsonField, parseJsonText } from '../../../ui/JsonField';
import { StatusNotice } from '../../../ui/StatusNotice';
import { formatNanosExact, parseMajorToNanos, parseWholeNumber } from '../../../ui/money';
import { messages } from './messages';
import { CreatePlanDocument, UpdatePlanDocument } from './operations';

interface LimitRow {
  metric: LimitMetric;
  currency: string;
  model: string;
  value: string;
}

const METRICS: LimitMetric[] = ['COST', 'TOKENS', 'REQUESTS'];

function limitRows(plan: OperatorPlanFragment | null): LimitRow[] {
  return (plan?.dailyLimits ?? []).map((l) => ({
    metric: l.metric,
    currency: l.currency ?? '',
    model: l.model ?? '',
    value: l.metric === 'COST' ? formatNanosExact(l.limitValue) : l.limitValue,
  }));
}

/** Creates a plan, or edits one (dailyLimits replace the whole set; archiving takes it out of effect). */
export function PlanForm({
  plan,
  onSaved,
  onClose,
}: {
  plan: OperatorPlanFragment | null;
  onSaved: () => void;
  onClose: () => void;
}) {
  const t = useT(messages);
  const [code, setCode] = useState(plan?.code ?? '');
  const [name, setName] = useState(plan?.name ?? '');
  const [description, setDescription] = useState(plan?.description ?? '');
  const [kind, setKind] = useState<PlanKind>(plan?.kind ?? 'DAILY_LIMIT');
  const [visibility, setVisibility] = useState<PlanVisibility>(plan?.visibility ?? 'PRIVATE');
  const [overflow, setOverflow] = useState<OverflowPolicy>(plan?.overflowPolicy ?? 'BLOCK');
  const [status, setStatus] = useState<PlanStatus>(plan?.status ?? 'ACTIVE');
  const [timeZone, setTimeZone] = useState(plan?.timeZone ?? '+08:00');
  const [usageCurrency, setUsageCurrency] = useState(plan?.usageCurrency ?? '');
  const [warn, setWarn] = useState((plan?.warnThresholds ?? [80]).join(', '));
  const [grace, setGrace] = useState(plan?.graceNanos ? formatNanosExact(plan.graceNanos) : '');
  const [gracePercent, setGracePercent] = useState(plan?.gracePercent?.toString() ?? '');
  const [degradeMap, setDegradeMap] = useState(JSON.stringify(plan?.degradeMap ?? {}, null, 2));
  const [limits, setLimits] = useState<LimitRow[]>(limitRows(plan));
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [createState, create] = useMutation(CreatePlanDocument);
  const [updateState, update] = useMutation(UpdatePlanDocument);

  function setLimit(i: number, patch: Partial<LimitRow>) {
    setLimits((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const dailyLimits = [];
    for (const [i, l] of limits.entries()) {
      const value = l.metric === 'COST' ? parseMajorToNanos(l.value) : parseWholeNumber(l.value);
      if (value === null || value === '0' || (l.metric === 'COST' && !/^[A-Z]{3}$/.test(l.currency)))
        return setProblem(t('badLimit', { n: i + 1 }));
      dailyLimits.push({
        metric: l.metric,
        limitValue: value,
        currency: l.metric === 'COST' ? l.currency : null,
        model: l.model.trim() || null,
      });
    }
    const thresholds = warn
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (thresholds.some((s) => !/^\d{1,3}$/.test(s) || Number(s) < 1 || Number(s) > 100))
      return setProblem(t('badWarn'));
    const graceNanos = grace.trim() ? parseMajorToNanos(grace) : null;
    if ((grace.trim() && graceNanos === null) || (gracePercent.trim() && !/^\d+$/.test(gracePercent.trim())))
      return setProblem(t('badGrace'));
    const degrade = parseJsonText(degradeMap);
    if (!degrade.ok) return setProblem(`${t('invalidJson')}: ${degrade.message}`);
    setProblem(null);
    const common = {
      code: code.trim(),
      name: name.trim(),
      description: description.trim() || null,
      visibility,
      overflowPolicy: overflow,
      timeZone: timeZone.trim() || null,
      usageCurrency: usageCurrency.trim().toUpperCase() || null,
      warnThresholds: thresholds.map(Number),
      graceNanos,
      gracePercent: gracePercent.trim() ? Number(gracePercent) : null,
      degradeMap: degrade.value ?? {},
      dailyLimits,
    };
    const res = plan
      ? await update({ id: plan.id, input: { ...common, status } })
      : await create({ input: { ...common, kind } });
    if (res.data) {
      setSaved(true);
      onSaved();
    }
  }

  const title = plan ? t('editTitle', { code: plan.code }) : t('createTitle');
  return (
    <form onSubmit={submit} aria-label={title}>
      <h3>{title}</h3>
      <div className="form-row">
        <label>
          {t('code')}
          <input required value={code} onChange={(e) => setCode(e.target.value)} />
        </label>
        <label>
          {t('name')}
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          {t('kind')}
          <select value={kind} disabled={plan !== null} onChange={(e) => setKind(e.target.value as PlanKind)}>
            <option value="DAILY_LIMIT">DAILY_LIMIT</option>
            <option value="USAGE">USAGE</option>
          </select>
        </label>
        <label>
          {t('visibility')}
          <select value={visibility} onChange={(e) => setVisibility(e.target.value as PlanVisibility)}>
            <option value="PRIVATE">PRIVATE</option>
            <option value="PUBLIC">PUBLIC</option>
          </select>
        </label>
        <label>
          {t('overflow')}
          <select value={overflow} onChange={(e) => setOverflow(e.target.value as OverflowPolicy)}>
            <option value="BLOCK">BLOCK</option>
            <option value="GRACE">GRACE</option>
            <option value="DEGRADE">DEGRADE</option>
          </select>
        </label>
        {plan && (
          <label>
            {t('status')}
            <select value={status} onChange={(e) => setStatus(e.target.value as PlanStatus)}>
              <option value="ACTIVE">ACTIVE</option>
              <option value="ARCHIVED">ARCHIVED</option>
            </select>
          </label>
        )}
      </div>
      <div className="form-row">
        <label>
          {t('description')}
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label>
          {t('timeZone')}
          <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />
        </label>
        <label>
          {t('usageCurrency')}
          <input maxLength={3} value={usageCurrency} onChange={(e) => setUsageCurrency(e.target.value)} />
        </label>
        <label>
          {t('warn')}
          <input value={warn} onChange={(e) => setWarn(e.target.value)} />
        </label>
        <label>
          {t('graceAmount')}
          <input inputMode="decimal" value={grace} onChange={(e) => setGrace(e.target.value)} />
        </label>
        <label>
          {t('gracePercent')}
          <input inputMode="numeric" value={gracePercent} onChange={(e) => setGracePercent(e.target.value)} />
        </label>
      </div>
      <fieldset>
        <legend>{t('limitsLegend')}</legend>
        {limits.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity until saved; order is the identity
          <div className="form-row" key={i}>
            <label>
              {t('metric')}
              <select
                value={l.metric}
                onChange={(e) => setLimit(i, { metric: e.target.value as LimitMetric })}
              >
                {METRICS.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </label>
            {l.metric === 'COST' && (
              <label>
                {t('currency')}
                <input
                  maxLength={3}
                  value={l.currency}
                  onChange={(e) => setLimit(i, { currency: e.target.value.toUpperCase() })}
                />
              </label>
            )}
            <label>
              {t('model')}
              <input value={l.model} onChange={(e) => setLimit(i, { model: e.target.value })} />
            </label>
            <label>
              {t('limitValue')}
              <input
                inputMode="decimal"
                value={l.value}
                onChange={(e) => setLimit(i, { value: e.target.value })}
              />
            </label>
            <button
              type="button"
              className="secondary"
              aria-label={t('removeLimit', { n: i + 1 })}
              onClick={() => setLimits((rows) => rows.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </div>
        ))}
        <button
          type="button"
          className="secondary"
          onClick={() =>
            setLimits((rows) => [...rows, { metric: 'COST', currency: 'USD', model: '', value: '' }])
          }
        >
          {t('addLimit')}
        </button>
      </fieldset>
      <JsonField
        label={t('degradeMap')}
        value={degradeMap}
        onChange={setDegradeMap}
        invalidLabel={t('invalidJson')}
        rows={3}
      />
      {problem && (
        <p role="alert" className="field-error">
          {problem}
        </p>
      )}
      <ErrorNotice error={plan ? updateState.error : createState.error} />
      <StatusNotice>{saved ? t('saved') : null}</StatusNotice>
      <div className="row-actions">
        <button type="submit" disabled={createState.fetching || updateState.fetching}>
          {t(plan ? 'save' : 'create')}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
