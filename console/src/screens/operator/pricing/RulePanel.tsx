import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import type { OperatorPriceRuleFragment } from '../../../gql/graphql';
import { useT } from '../../../i18n';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { StatusNotice } from '../../../ui/StatusNotice';
import { formatUtc, isoToUtcInput, utcInputToIso } from '../../../ui/dates';
import { messages } from './messages';
import { SchedulePriceChangeDocument, UpdatePriceRuleDocument } from './operations';
import { PriceFields, type Prices, parsePrices } from './PriceFields';

export type PanelMode = 'edit' | 'schedule';

/**
 * Edit changes precedence and window (ending a rule); prices only before the rule takes effect, which the
 * gateway enforces. Schedule ends the rule at a future instant and starts a copy with the new prices there.
 */
export function RulePanel({
  rule,
  mode,
  onDone,
  onClose,
}: {
  rule: OperatorPriceRuleFragment;
  mode: PanelMode;
  onDone: () => void;
  onClose: () => void;
}) {
  const t = useT(messages);
  const [prices, setPrices] = useState<Prices>({
    baseNanosPerToken: rule.baseNanosPerToken,
    inputMultiplierPpm: rule.inputMultiplierPpm,
    outputMultiplierPpm: rule.outputMultiplierPpm,
    cachedInputMultiplierPpm: rule.cachedInputMultiplierPpm,
    requestFeeNanos: rule.requestFeeNanos,
  });
  const [precedence, setPrecedence] = useState(String(rule.precedence));
  const [from, setFrom] = useState(mode === 'edit' ? isoToUtcInput(rule.effectiveFrom) : '');
  const [to, setTo] = useState(isoToUtcInput(rule.effectiveTo));
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [updateState, update] = useMutation(UpdatePriceRuleDocument);
  const [scheduleState, schedule] = useMutation(SchedulePriceChangeDocument);
  const inEffect = new Date(rule.effectiveFrom).getTime() <= Date.now();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    const parsed = parsePrices(prices);
    if (!parsed || !/^-?\d+$/.test(precedence.trim())) return setProblem(t('badNumber'));
    if (mode === 'schedule') {
      const at = utcInputToIso(from);
      if (!at) return setProblem(t('badDate'));
      setProblem(null);
      const res = await schedule({ id: rule.id, input: { ...parsed, effectiveFrom: at } });
      if (res.data) {
        setDone(t('scheduled', { at: formatUtc(res.data.schedulePriceChange.effectiveFrom) }));
        onDone();
      }
      return;
    }
    setProblem(null);
    const res = await update({
      id: rule.id,
      input: {
        precedence: Number(precedence),
        effectiveTo: utcInputToIso(to),
        ...(inEffect ? {} : { ...parsed, effectiveFrom: utcInputToIso(from) }),
      },
    });
    if (res.data) {
      setDone(t('saved'));
      onDone();
    }
  }

  const title = t(mode === 'edit' ? 'editTitle' : 'scheduleTitle', { pattern: rule.modelPattern });
  return (
    <form onSubmit={submit} aria-label={title}>
      <h3>{title}</h3>
      {mode === 'edit' && inEffect && <p className="field-hint">{t('editHint')}</p>}
      {(mode === 'schedule' || !inEffect) && (
        <PriceFields value={prices} currency={rule.currency} onChange={setPrices} />
      )}
      <div className="form-row">
        {mode === 'edit' && (
          <label>
            {t('precedence')}
            <input inputMode="numeric" value={precedence} onChange={(e) => setPrecedence(e.target.value)} />
          </label>
        )}
        {(mode === 'schedule' || !inEffect) && (
          <label>
            {t('effectiveFrom')}
            <input
              type="datetime-local"
              required={mode === 'schedule'}
              value={from}
              onChange={(e) => setFrom(e.target.value)}
            />
          </label>
        )}
        {mode === 'edit' && (
          <label>
            {t('effectiveTo')} <span className="field-hint">{t('open')}</span>
            <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
        )}
      </div>
      {problem && (
        <p role="alert" className="field-error">
          {problem}
        </p>
      )}
      <ErrorNotice error={mode === 'edit' ? updateState.error : scheduleState.error} />
      <StatusNotice>{done}</StatusNotice>
      <div className="row-actions">
        <button type="submit" disabled={updateState.fetching || scheduleState.fetching}>
          {t(mode === 'edit' ? 'save' : 'schedule')}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
