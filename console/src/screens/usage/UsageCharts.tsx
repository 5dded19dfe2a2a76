import { useId, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { Chart, type ChartOption } from '../../ui/Chart';
import { type Column, DataTable } from '../../ui/DataTable';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Card } from '../../ui/Page';
import { formatMoney } from '../../ui/money';
import { type Metric, type ModelTotals, chartValue, mainCurrency, totalsByModel } from './aggregate';
import { lastDays } from '../../ui/dates';
import type { T } from './messages';
import { UsageByDayAndModelDocument } from './operations';

export const RANGES = [7, 30, 90] as const;
const NO_ROWS: never[] = [];
type Range = (typeof RANGES)[number];

const groupDigits = (v: bigint | number) => v.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Requests, tokens or cost per day (stacked by model) and per model over the last 7, 30 or 90 days. */
export function UsageCharts({ t, offset }: { t: T; offset: string }) {
  const [range, setRange] = useState<Range>(30);
  const [metric, setMetric] = useState<Metric>('requests');
  const metricId = useId();
  const { from, days } = useMemo(() => lastDays(range, offset, new Date()), [range, offset]);
  const [res] = useQuery({
    query: UsageByDayAndModelDocument,
    variables: { filter: { from: from.toISOString() }, timeZone: offset },
  });
  const rows = res.data?.usageAggregates ?? NO_ROWS;
  const totals = useMemo(() => totalsByModel(rows), [rows]);
  const currency = useMemo(() => mainCurrency(rows), [rows]);
  const metricName = t(metric);

  const perDay: ChartOption = useMemo(() => {
    const index = new Map(days.map((d, i) => [d, i]));
    const series = totals.map((m) => {
      const data = days.map(() => 0);
      for (const r of rows) {
        const i = r.day ? index.get(r.day) : undefined;
        if (i !== undefined && (r.model ?? '—') === m.model)
          data[i] = (data[i] ?? 0) + chartValue(r, metric, currency);
      }
      return { name: m.model, type: 'bar', stack: 'day', data };
    });
    return {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 56, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
      yAxis: { type: 'value', name: metric === 'cost' ? (currency ?? '') : '' },
      series,
    };
  }, [days, rows, totals, metric, currency]);

  const perModel: ChartOption = useMemo(() => {
    const value = (m: ModelTotals) =>
      metric === 'requests'
        ? m.requests
        : metric === 'tokens'
          ? Number(m.promptTokens + m.completionTokens)
          : Number(m.costNanos.get(currency ?? '') ?? 0n) / 1e9;
    const shown = [...totals].reverse();
    return {
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 120, right: 24, top: 16, bottom: 32 },
      xAxis: { type: 'value', splitNumber: 3, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'category', data: shown.map((m) => m.model) },
      series: [{ name: metricName, type: 'bar', data: shown.map(value) }],
    };
  }, [totals, metric, currency, metricName]);

  const columns: Column<ModelTotals>[] = [
    { key: 'model', header: t('model'), cell: (m) => m.model },
    { key: 'requests', header: t('requests'), align: 'right', cell: (m) => groupDigits(m.requests) },
    { key: 'failed', header: t('failed'), align: 'right', cell: (m) => groupDigits(m.failedRequests) },
    { key: 'prompt', header: t('promptTokens'), align: 'right', cell: (m) => groupDigits(m.promptTokens) },
    {
      key: 'completion',
      header: t('completionTokens'),
      align: 'right',
      cell: (m) => groupDigits(m.completionTokens),
    },
    {
      key: 'cost',
      header: t('cost'),
      align: 'right',
      cell: (m) => (
        <span className="amount">
          {[...m.costNanos]
            .map(([c, n]) => formatMoney({ amount: n.toString(), currency: c, unit: 'NANO' }, { digits: 9 }))
            .join(' + ')}
        </span>
      ),
    },
  ];
  const otherCurrencies = totals.some((m) => [...m.costNanos.keys()].some((c) => c !== currency));

  return (
    <Card title={t('overTime')}>
      <div className="usage-controls">
        <fieldset className="segmented">
          <legend>{t('range')}</legend>
          {RANGES.map((n) => (
            <label key={n} className="check">
              <input type="radio" name="usage-range" checked={range === n} onChange={() => setRange(n)} />
              {t('days', { n })}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={metricId}>{t('metric')}</label>
          <select id={metricId} value={metric} onChange={(e) => setMetric(e.target.value as Metric)}>
            <option value="requests">{t('requests')}</option>
            <option value="tokens">{t('tokens')}</option>
            <option value="cost">{t('cost')}</option>
          </select>
        </div>
      </div>
      <ErrorNotice error={res.error} />
      {!res.fetching && rows.length === 0 && !res.error ? (
        <p className="muted">{t('noUsage')}</p>
      ) : (
        <>
          <div className="usage-charts">
            <div>
              <h3>{t('perDay')}</h3>
              <Chart option={perDay} label={t('perDayChart', { metric: metricName, n: range })} />
            </div>
            <div>
              <h3>{t('perModel')}</h3>
              <Chart option={perModel} label={t('perModelChart', { metric: metricName, n: range })} />
            </div>
          </div>
          {metric === 'cost' && otherCurrencies && <p className="muted">{t('otherCurrencies')}</p>}
          <DataTable
            caption={t('modelsCaption', { n: range })}
            columns={columns}
            rows={totals}
            rowKey={(m) => m.model}
            empty={t('noUsage')}
          />
        </>
      )}
    </Card>
  );
}
