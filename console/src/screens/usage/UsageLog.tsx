import { useId, useMemo, useRef, useState } from 'react';
import { useClient, useQuery } from 'urql';
import type { UsageFilter } from '../../gql/graphql';
import { useLocale } from '../../i18n';
import { type Column, DataTable } from '../../ui/DataTable';
import { formatDateTime, nextDay, startOfDay } from '../../ui/dates';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Card } from '../../ui/Page';
import { rawId } from '../../ui/ids';
import { formatMoney } from '../../ui/money';
import { downloadCsv } from './download';
import { EXPORT_ROWS_MAX, ExportError, type UsageRow, exportUsageCsv } from './export';
import type { T } from './messages';
import { UsageKeysDocument, UsageModelsDocument, UsageRecordsDocument } from './operations';

const PAGE_SIZE = 25;
const NO_EDGES: never[] = [];

interface Filters {
  apiKeyId: string;
  model: string;
  fromDay: string;
  toDay: string;
}

function toUsageFilter(f: Filters, offset: string): UsageFilter {
  return {
    ...(f.apiKeyId ? { apiKeyId: f.apiKeyId } : {}),
    ...(f.model ? { model: f.model } : {}),
    ...(f.fromDay ? { from: startOfDay(f.fromDay, offset) } : {}),
    // The person picks the last day to include; the API's `to` is exclusive.
    ...(f.toDay ? { to: startOfDay(nextDay(f.toDay), offset) } : {}),
  };
}

type ExportState =
  | { kind: 'idle' }
  | { kind: 'running'; rows: number; waitingMs: number | null }
  | { kind: 'done'; rows: number; capped: boolean }
  | { kind: 'failed'; error: ExportError };

/** The log of proxied requests: filter by key, model and days; page by cursor; export as CSV. */
export function UsageLog({ t, offset }: { t: T; offset: string }) {
  const { locale } = useLocale();
  const client = useClient();
  // Labels name only their control (a select inside its label would add its options to the name).
  const ids = useId();
  const [filters, setFilters] = useState<Filters>({ apiKeyId: '', model: '', fromDay: '', toDay: '' });
  // Cursors of the pages before the current one (null = the first page): "previous" pops one.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const filter = useMemo(() => toUsageFilter(filters, offset), [filters, offset]);
  const [records] = useQuery({ query: UsageRecordsDocument, variables: { filter, first: PAGE_SIZE, after } });
  const [keys] = useQuery({ query: UsageKeysDocument });
  const [models] = useQuery({ query: UsageModelsDocument });
  const [exporting, setExporting] = useState<ExportState>({ kind: 'idle' });
  const abort = useRef<AbortController | null>(null);

  // Usage rows carry the raw key id; keys come with global ids.
  const keyNames = useMemo(() => {
    const m = new Map<string, string>();
    for (const e of keys.data?.apiKeys.edges ?? []) m.set(rawId(e.node.id), e.node.name);
    return m;
  }, [keys.data]);
  const keyLabel = (id: string) => keyNames.get(id) ?? id;
  const modelNames = useMemo(
    () =>
      [
        ...new Set((models.data?.usageAggregates ?? []).map((a) => a.model).filter((m): m is string => !!m)),
      ].sort(),
    [models.data],
  );

  const change = (patch: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setCursors([null]);
  };

  const runExport = async () => {
    const controller = new AbortController();
    abort.current = controller;
    setExporting({ kind: 'running', rows: 0, waitingMs: null });
    try {
      const out = await exportUsageCsv({
        client,
        query: UsageRecordsDocument,
        filter,
        keyName: (id) => keyNames.get(id) ?? '',
        onProgress: (rows, waitingMs) => setExporting({ kind: 'running', rows, waitingMs }),
        signal: controller.signal,
      });
      downloadCsv(out.csv, `usage-${new Date().toISOString().slice(0, 10)}.csv`);
      setExporting({ kind: 'done', rows: out.rows, capped: out.capped });
    } catch (e) {
      if (e instanceof ExportError) setExporting({ kind: 'failed', error: e });
      else setExporting({ kind: 'idle' });
    } finally {
      abort.current = null;
    }
  };

  const edges = records.data?.usageRecords.edges ?? NO_EDGES;
  const pageInfo = records.data?.usageRecords.pageInfo;
  const columns: Column<UsageRow>[] = [
    {
      key: 'time',
      header: t('time'),
      cell: (r) => <span className="nowrap">{formatDateTime(r.createdAt, locale)}</span>,
    },
    { key: 'request', header: t('requestId'), cell: (r) => <code>{r.requestId}</code> },
    {
      key: 'key',
      header: t('key'),
      cell: (r) => (
        <span className="nowrap" title={r.apiKeyId}>
          {keyLabel(r.apiKeyId)}
        </span>
      ),
    },
    {
      key: 'model',
      header: t('model'),
      cell: (r) =>
        r.modelServed && r.modelServed !== r.modelRequested
          ? `${r.modelRequested} → ${r.modelServed}`
          : r.modelRequested,
    },
    {
      key: 'tokens',
      header: t('tokensInOut'),
      align: 'right',
      cell: (r) => (
        <span title={t('cachedDetail', { n: r.cachedTokens })}>
          {`${r.promptTokens} / ${r.completionTokens}`}
        </span>
      ),
    },
    {
      key: 'cost',
      header: t('cost'),
      align: 'right',
      // All nine decimals: one request often costs less than a hundredth of a cent.
      cell: (r) => <span className="amount nowrap">{formatMoney(r.cost, { digits: 9 })}</span>,
    },
    {
      key: 'status',
      header: t('status'),
      // The HTTP status only when it says more than "succeeded".
      cell: (r) =>
        `${t(`status${r.status}`)}${r.httpStatus && r.status !== 'SUCCEEDED' ? ` (${r.httpStatus})` : ''}`,
    },
  ];

  return (
    <div className="usage-log">
      <Card title={t('log')}>
        <fieldset className="usage-filters">
          <legend>{t('filters')}</legend>
          <div className="field">
            <label htmlFor={`${ids}-key`}>{t('key')}</label>
            <select
              id={`${ids}-key`}
              value={filters.apiKeyId}
              onChange={(e) => change({ apiKeyId: e.target.value })}
            >
              <option value="">{t('allKeys')}</option>
              {(keys.data?.apiKeys.edges ?? []).map((e) => (
                <option key={e.node.id} value={e.node.id}>
                  {`${e.node.name} (${e.node.prefix}…)`}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${ids}-model`}>{t('model')}</label>
            <select
              id={`${ids}-model`}
              value={filters.model}
              onChange={(e) => change({ model: e.target.value })}
            >
              <option value="">{t('allModels')}</option>
              {modelNames.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
          <label>
            {t('from')}
            <input
              type="date"
              value={filters.fromDay}
              onChange={(e) => change({ fromDay: e.target.value })}
            />
          </label>
          <label>
            {t('to')}
            <input type="date" value={filters.toDay} onChange={(e) => change({ toDay: e.target.value })} />
          </label>
        </fieldset>
        <div className="usage-export">
          {exporting.kind === 'running' ? (
            <button type="button" className="secondary" onClick={() => abort.current?.abort()}>
              {t('cancelExport')}
            </button>
          ) : (
            <button type="button" onClick={runExport}>
              {t('exportCsv')}
            </button>
          )}
          <span className="muted">{t('exportNote', { max: EXPORT_ROWS_MAX.toLocaleString(locale) })}</span>
          <span role="status">
            {exporting.kind === 'running' &&
              (exporting.waitingMs === null
                ? t('exporting', { n: exporting.rows })
                : t('exportWaiting', { n: exporting.rows, s: Math.ceil(exporting.waitingMs / 1000) }))}
            {exporting.kind === 'done' &&
              (exporting.capped
                ? t('exportCapped', { n: exporting.rows })
                : t('exported', { n: exporting.rows }))}
          </span>
        </div>
        {exporting.kind === 'failed' && <ErrorNotice error={exporting.error.error} />}
        <ErrorNotice error={records.error} />
        <DataTable
          caption={t('logCaption')}
          columns={columns}
          rows={edges.map((e) => e.node)}
          rowKey={(r) => r.id}
          empty={records.fetching ? '…' : t('noRows')}
        />
        <nav className="pager" aria-label={t('log')}>
          <button
            type="button"
            className="secondary"
            disabled={cursors.length <= 1}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            {t('previous')}
          </button>
          <span className="muted">{t('pageN', { n: cursors.length })}</span>
          <button
            type="button"
            className="secondary"
            disabled={!pageInfo?.hasNextPage || !pageInfo.endCursor}
            onClick={() => pageInfo?.endCursor && setCursors((c) => [...c, pageInfo.endCursor ?? null])}
          >
            {t('next')}
          </button>
        </nav>
      </Card>
    </div>
  );
}
