import { type FormEvent, useState } from 'react';
import { useT } from '../../../i18n';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { StatusNotice } from '../../../ui/StatusNotice';
import { formatNanosExact } from '../../../ui/money';
import { useOnDemandQuery } from '../../../ui/useOnDemandQuery';
import { messages } from './messages';
import { PriceQuoteDocument } from './operations';

/** Prices a hypothetical request with the rules as the gateway would apply them (the same code path). */
export function QuoteTool({ plans }: { plans: readonly { id: string; code: string; name: string }[] }) {
  const t = useT(messages);
  const [model, setModel] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [promptTokens, setPromptTokens] = useState('1000');
  const [completionTokens, setCompletionTokens] = useState('1000');
  const [cachedTokens, setCachedTokens] = useState('0');
  const [planId, setPlanId] = useState('');
  const [{ data, error, fetching }, run] = useOnDemandQuery(PriceQuoteDocument);
  const quote = data?.priceQuote;

  async function submit(e: FormEvent) {
    e.preventDefault();
    await run({
      model: model.trim(),
      currency: currency.trim().toUpperCase(),
      promptTokens: Number(promptTokens) || 0,
      completionTokens: Number(completionTokens) || 0,
      cachedTokens: Number(cachedTokens) || 0,
      planId: planId || null,
    });
  }

  const count = (label: Parameters<typeof t>[0], v: string, set: (v: string) => void) => (
    <label>
      {t(label)}
      <input type="number" min={0} step={1} value={v} onChange={(e) => set(e.target.value)} />
    </label>
  );
  return (
    <form onSubmit={submit} aria-label={t('quoteTitle')}>
      <div className="form-row">
        <label>
          {t('model')}
          <input required value={model} onChange={(e) => setModel(e.target.value)} />
        </label>
        <label>
          {t('currency')}
          <input required maxLength={3} value={currency} onChange={(e) => setCurrency(e.target.value)} />
        </label>
        {count('promptTokens', promptTokens, setPromptTokens)}
        {count('completionTokens', completionTokens, setCompletionTokens)}
        {count('cachedTokens', cachedTokens, setCachedTokens)}
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
      </div>
      <ErrorNotice error={error} />
      <StatusNotice>
        {quote &&
          t('quoteResult', {
            cost: formatNanosExact(quote.costNanos),
            currency: quote.currency,
            model: quote.model,
            pattern: quote.rule.modelPattern,
            precedence: quote.rule.precedence,
            plan: quote.rule.plan ? `, ${quote.rule.plan.code}` : '',
          })}
      </StatusNotice>
      <button type="submit" disabled={fetching}>
        {t('quote')}
      </button>
    </form>
  );
}
