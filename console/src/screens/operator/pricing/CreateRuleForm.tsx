import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { useT } from '../../../i18n';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { StatusNotice } from '../../../ui/StatusNotice';
import { utcInputToIso } from '../../../ui/dates';
import { messages } from './messages';
import { CreatePriceRuleDocument } from './operations';
import { DEFAULT_PRICES, PriceFields, parsePrices } from './PriceFields';

export function CreateRuleForm({
  plans,
  onCreated,
}: {
  plans: readonly { id: string; code: string; name: string }[];
  onCreated: () => void;
}) {
  const t = useT(messages);
  const [modelPattern, setModelPattern] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [prices, setPrices] = useState(DEFAULT_PRICES);
  const [precedence, setPrecedence] = useState('0');
  const [planId, setPlanId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [state, create] = useMutation(CreatePriceRuleDocument);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(false);
    const parsed = parsePrices(prices);
    if (!parsed || !/^-?\d+$/.test(precedence.trim())) return setProblem(t('badNumber'));
    setProblem(null);
    const res = await create({
      input: {
        modelPattern: modelPattern.trim(),
        currency: currency.trim().toUpperCase(),
        ...parsed,
        precedence: Number(precedence),
        planId: planId || null,
        effectiveFrom: utcInputToIso(from),
        effectiveTo: utcInputToIso(to),
      },
    });
    if (res.data) {
      setDone(true);
      setModelPattern('');
      onCreated();
    }
  }

  return (
    <form onSubmit={submit} aria-label={t('createTitle')}>
      <div className="form-row">
        <label>
          {t('modelPattern')}
          <input required value={modelPattern} onChange={(e) => setModelPattern(e.target.value)} />
        </label>
        <label>
          {t('currency')}
          <input required maxLength={3} value={currency} onChange={(e) => setCurrency(e.target.value)} />
        </label>
        <label>
          {t('plan')}
          <select value={planId} onChange={(e) => setPlanId(e.target.value)}>
            <option value="">{t('planNone')}</option>
            {plans.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.code})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('precedence')}
          <input inputMode="numeric" value={precedence} onChange={(e) => setPrecedence(e.target.value)} />
        </label>
      </div>
      <PriceFields value={prices} currency={currency} onChange={setPrices} />
      <div className="form-row">
        <label>
          {t('effectiveFrom')} <span className="field-hint">{t('now')}</span>
          <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('effectiveTo')} <span className="field-hint">{t('open')}</span>
          <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </div>
      {problem && (
        <p role="alert" className="field-error">
          {problem}
        </p>
      )}
      <ErrorNotice error={state.error} />
      <StatusNotice>{done ? t('created') : null}</StatusNotice>
      <button type="submit" disabled={state.fetching}>
        {t('create')}
      </button>
    </form>
  );
}
