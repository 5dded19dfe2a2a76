import { useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { useT } from '../../i18n';
import { Chart, type ChartOption } from '../../ui/Chart';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { lastDays } from '../../ui/dates';
import { formatMoney, formatUnits, minorDigits } from '../../ui/money';
import { Card } from '../../ui/Page';
import { messages } from './messages';
import { SpendByDayDocument } from './operations';

const DAYS = 30;

/**
 * Spend per day over the last 30 days, days cut at the plan's midnight (`offset`, UTC+8 by default, as
 * plans count). One currency at a time: the organization's wallet currency first. Amounts are summed and
 * labelled as exact decimal strings; only the bar heights are numbers.
 */
export function SpendChart({
  organizationId,
  offset,
  preferredCurrency,
  pulse,
}: {
  organizationId: string;
  offset: string;
  preferredCurrency: string | null;
  pulse: number;
}) {
  const t = useT(messages);
  // The window is fixed when the screen opens (and when the offset changes), not at every render.
  const range = useMemo(() => lastDays(DAYS, offset, new Date()), [offset]);
  const [{ data, error }, refetch] = useQuery({
    query: SpendByDayDocument,
    variables: { organizationId, from: range.from.toISOString(), timeZone: offset },
  });
  useEffect(() => {
    if (pulse > 0) refetch({ requestPolicy: 'network-only' });
  }, [pulse, refetch]);
  const rows = data?.usageAggregates ?? [];
  const currencies = [...new Set(rows.map((r) => r.cost.currency))].sort();
  const [chosen, setChosen] = useState<string | null>(null);
  const currency =
    (chosen && currencies.includes(chosen) ? chosen : null) ??
    (preferredCurrency && currencies.includes(preferredCurrency) ? preferredCurrency : null) ??
    currencies[0] ??
    preferredCurrency ??
    'USD';
  const series = useMemo(() => {
    const byDay = new Map<string, { nanos: bigint; requests: number }>();
    for (const r of rows)
      if (r.cost.currency === currency && r.day)
        byDay.set(r.day, { nanos: BigInt(r.cost.amount), requests: r.requests });
    const digits = Math.max(minorDigits(currency), 4);
    return range.days.map((day) => {
      const v = byDay.get(day) ?? { nanos: 0n, requests: 0 };
      const exact = formatUnits(v.nanos.toString(), 9, digits);
      return { day, nanos: v.nanos, requests: v.requests, exact, height: Number(exact.replaceAll(',', '')) };
    });
  }, [rows, currency, range.days]);
  const totalNanos = series.reduce((s, d) => s + d.nanos, 0n);
  const totalRequests = series.reduce((s, d) => s + d.requests, 0);
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 56, right: 16, top: 16, bottom: 32 },
      tooltip: {
        trigger: 'axis',
        formatter: (params: { dataIndex: number }[]) => {
          const d = series[params[0]?.dataIndex ?? 0];
          return d ? `${d.day}<br/>${d.exact} ${currency} · ${d.requests}` : '';
        },
      },
      xAxis: { type: 'category', data: series.map((d) => d.day.slice(5)) },
      yAxis: { type: 'value', name: currency },
      series: [{ type: 'bar', data: series.map((d) => d.height), itemStyle: { color: '#0b5cad' } }],
      animation: false,
    }),
    [series, currency],
  );
  return (
    <Card title={t('spend')}>
      <ErrorNotice error={error} />
      {currencies.length > 1 && (
        <label>
          {t('currency')}
          <select value={currency} onChange={(e) => setChosen(e.target.value)}>
            {currencies.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      )}
      {data && (
        <>
          <p className="amount" data-testid="spend-total">
            {totalRequests === 0 && totalNanos === 0n
              ? t('noSpend')
              : t('total', {
                  amount: formatMoney({ amount: totalNanos.toString(), currency, unit: 'NANO' }),
                  requests: totalRequests,
                })}
          </p>
          <Chart option={option} label={t('spendChart', { currency })} />
        </>
      )}
    </Card>
  );
}
