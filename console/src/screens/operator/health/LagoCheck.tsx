import { type FormEvent, useState } from 'react';
import { useT } from '../../../i18n';
import { DataTable } from '../../../ui/DataTable';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { formatUtc } from '../../../ui/dates';
import { formatNanosExact } from '../../../ui/money';
import { useOnDemandQuery } from '../../../ui/useOnDemandQuery';
import { messages } from './messages';
import { LagoReconciliationDocument } from './operations';

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** lagoReconciliation over whole UTC days [from, to]; each row a customer and day, with its differences. */
export function LagoCheck() {
  const t = useT(messages);
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 7 * DAY_MS)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const [sample, setSample] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [{ data, error, fetching }, run] = useOnDemandQuery(LagoReconciliationDocument);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const start = new Date(`${from}T00:00:00Z`);
    const end = new Date(new Date(`${to}T00:00:00Z`).getTime() + DAY_MS);
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start >= end)
      return setProblem(t('badRange'));
    setProblem(null);
    await run({
      from: start.toISOString(),
      to: end.toISOString(),
      samplePerDay: /^\d+$/.test(sample.trim()) ? Number(sample) : null,
    });
  }

  const r = data?.lagoReconciliation;
  return (
    <form onSubmit={submit} aria-label={t('lago')}>
      <p className="field-hint">{t('lagoHint')}</p>
      <div className="form-row">
        <label>
          {t('from')}
          <input type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('to')}
          <input type="date" required value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          {t('sample')}
          <input inputMode="numeric" value={sample} onChange={(e) => setSample(e.target.value)} />
        </label>
        <button type="submit" disabled={fetching}>
          {t('reconcile')}
        </button>
      </div>
      {problem && (
        <p role="alert" className="field-error">
          {problem}
        </p>
      )}
      <ErrorNotice error={error} />
      {r && (
        <>
          <p role="status">
            <span className={`badge ${r.differenceCount === 0 ? 'badge-ok' : 'badge-bad'}`}>
              {r.differenceCount}
            </span>{' '}
            {t('differences', { n: r.differenceCount, from: formatUtc(r.from), to: formatUtc(r.to) })}
          </p>
          <DataTable
            caption={t('lago')}
            rows={r.rows}
            rowKey={(row) => `${row.externalCustomerId}:${row.day}`}
            empty={t('noRows')}
            columns={[
              { key: 'day', header: t('day'), cell: (row) => row.day },
              {
                key: 'customer',
                header: t('customer'),
                cell: (row) => <code>{row.externalCustomerId}</code>,
              },
              {
                key: 'usage',
                header: t('usage'),
                align: 'right',
                cell: (row) =>
                  `${row.usageDelivered}/${row.usageRecords} · ${row.usageConfirmed}/${row.usageChecked} · ${formatNanosExact(row.costNanos)}`,
              },
              {
                key: 'topups',
                header: t('topUps'),
                align: 'right',
                cell: (row) => `${row.topUpsConfirmed}/${row.topUps}`,
              },
              {
                key: 'refunds',
                header: t('refunds'),
                align: 'right',
                cell: (row) => `${row.refundsConfirmed}/${row.refunds}`,
              },
              {
                key: 'diff',
                header: t('problems'),
                cell: (row) =>
                  row.differences.map((d) => (
                    <div key={`${d.kind}:${d.reference}`}>
                      <strong>{d.kind}</strong> <code>{d.reference}</code> {d.detail}
                    </div>
                  )),
              },
            ]}
          />
        </>
      )}
    </form>
  );
}
