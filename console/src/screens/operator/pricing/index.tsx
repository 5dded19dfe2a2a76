import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import type { OperatorPriceRuleFragment } from '../../../gql/graphql';
import { useT } from '../../../i18n';
import '../../../ui/forms.css';
import { DataTable } from '../../../ui/DataTable';
import { ScrollRegion } from '../../../ui/ScrollRegion';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { Card, Page } from '../../../ui/Page';
import { StatusNotice } from '../../../ui/StatusNotice';
import { formatUtc } from '../../../ui/dates';
import { perMillionTokens } from '../../../ui/money';
import { CreateRuleForm } from './CreateRuleForm';
import { messages } from './messages';
import { DeletePriceRuleDocument, PriceRulesDocument } from './operations';
import { QuoteTool } from './QuoteTool';
import { type PanelMode, RulePanel } from './RulePanel';

/** Operators: price rules (create, edit, delete before they start), scheduled price changes and a quote tool. */
export default function PricingScreen() {
  const t = useT(messages);
  const [currency, setCurrency] = useState('');
  const [modelPattern, setModelPattern] = useState('');
  const [{ data, error, fetching }, refetch] = useQuery({
    query: PriceRulesDocument,
    variables: { currency: currency.trim().toUpperCase() || null, modelPattern: modelPattern.trim() || null },
  });
  const [panel, setPanel] = useState<{ rule: OperatorPriceRuleFragment; mode: PanelMode } | null>(null);
  const [deleteState, deleteRule] = useMutation(DeletePriceRuleDocument);
  const [deleted, setDeleted] = useState(false);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const plans = data?.plans ?? [];
  const now = Date.now();

  async function remove(rule: OperatorPriceRuleFragment) {
    setDeleted(false);
    if (!window.confirm(t('confirmDelete', { pattern: rule.modelPattern }))) return;
    const res = await deleteRule({ id: rule.id });
    if (res.data) {
      setDeleted(true);
      reload();
    }
  }

  return (
    <Page title={t('title')}>
      <ErrorNotice error={error} />
      <Card title={t('rules')}>
        <div className="form-row">
          <label>
            {t('filterCurrency')}
            <input maxLength={3} value={currency} onChange={(e) => setCurrency(e.target.value)} />
          </label>
          <label>
            {t('filterModel')}
            <input value={modelPattern} onChange={(e) => setModelPattern(e.target.value)} />
          </label>
        </div>
        <ErrorNotice error={deleteState.error} />
        <StatusNotice>{deleted ? t('deleted') : null}</StatusNotice>
        {fetching && !data ? (
          <p className="muted">{t('loading')}</p>
        ) : (
          <ScrollRegion label={t('rules')}>
            <DataTable
              caption={t('rules')}
              rows={data?.priceRules ?? []}
              rowKey={(r) => r.id}
              empty={t('none')}
              columns={[
                { key: 'pattern', header: t('pattern'), cell: (r) => <code>{r.modelPattern}</code> },
                { key: 'currency', header: t('currency'), cell: (r) => r.currency },
                { key: 'plan', header: t('plan'), cell: (r) => r.plan?.code ?? t('global') },
                {
                  key: 'base',
                  header: t('base'),
                  align: 'right',
                  cell: (r) => (
                    <span className="amount">
                      {r.baseNanosPerToken}
                      <br />
                      <span className="muted">
                        {perMillionTokens(r.baseNanosPerToken)} {t('perMillion')}
                      </span>
                    </span>
                  ),
                },
                {
                  key: 'mult',
                  header: t('multipliers'),
                  align: 'right',
                  cell: (r) =>
                    `${r.inputMultiplierPpm} / ${r.outputMultiplierPpm} / ${r.cachedInputMultiplierPpm}`,
                },
                { key: 'fee', header: t('fee'), align: 'right', cell: (r) => r.requestFeeNanos },
                { key: 'precedence', header: t('precedence'), align: 'right', cell: (r) => r.precedence },
                {
                  key: 'window',
                  header: t('window'),
                  cell: (r) =>
                    `${formatUtc(r.effectiveFrom)} → ${r.effectiveTo ? formatUtc(r.effectiveTo) : '∞'}`,
                },
                {
                  key: 'actions',
                  header: t('actions'),
                  cell: (r) => {
                    const started = new Date(r.effectiveFrom).getTime() <= now;
                    const ended =
                      r.effectiveTo !== null &&
                      r.effectiveTo !== undefined &&
                      new Date(r.effectiveTo).getTime() <= now;
                    return (
                      <div className="row-actions">
                        <button
                          type="button"
                          className="secondary"
                          aria-label={`${t('edit')} ${r.modelPattern} ${r.currency}`}
                          onClick={() => setPanel({ rule: r, mode: 'edit' })}
                        >
                          {t('edit')}
                        </button>
                        {!ended && (
                          <button
                            type="button"
                            className="secondary"
                            aria-label={`${t('schedule')} ${r.modelPattern} ${r.currency}`}
                            onClick={() => setPanel({ rule: r, mode: 'schedule' })}
                          >
                            {t('schedule')}
                          </button>
                        )}
                        {!started && (
                          <button
                            type="button"
                            className="danger"
                            aria-label={`${t('delete')} ${r.modelPattern} ${r.currency}`}
                            onClick={() => remove(r)}
                          >
                            {t('delete')}
                          </button>
                        )}
                      </div>
                    );
                  },
                },
              ]}
            />
          </ScrollRegion>
        )}
        {panel && (
          <RulePanel
            key={`${panel.rule.id}-${panel.mode}`}
            rule={panel.rule}
            mode={panel.mode}
            onDone={reload}
            onClose={() => setPanel(null)}
          />
        )}
      </Card>
      <Card title={t('createTitle')}>
        <CreateRuleForm plans={plans} onCreated={reload} />
      </Card>
      <Card title={t('quoteTitle')}>
        <QuoteTool plans={plans} />
      </Card>
    </Page>
  );
}
