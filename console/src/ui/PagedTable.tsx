import { useState } from 'react';
import { defineMessages, useT } from '../i18n';
import { type Column, DataTable } from './DataTable';
import { ScrollRegion } from './ScrollRegion';

const messages = defineMessages({
  en: { any: 'Any', loading: 'Loading…', first: 'First page', more: 'Next page' },
  'zh-CN': { any: '全部', loading: '加载中…', first: '第一页', more: '下一页' },
});

/**
 * The `after` cursor of a paged list and its setter. The list starts again at its first page whenever
 * `filter` changes: a cursor belongs to the filter it was read under.
 */
export function useCursor(filter: unknown): [string | null, (after: string | null) => void] {
  const key = JSON.stringify(filter);
  const [state, setState] = useState<{ key: string; after: string | null }>({ key, after: null });
  return [state.key === key ? state.after : null, (after) => setState({ key, after })];
}

/** A filter of a list by one status (or any): the screen's label, the statuses and how each reads. */
export function StatusFilter<S extends string>({
  label,
  value,
  statuses,
  onChange,
  optionLabel = (s) => s,
}: {
  label: string;
  value: S | '';
  statuses: readonly S[];
  onChange: (status: S | '') => void;
  optionLabel?: (status: S) => string;
}) {
  const t = useT(messages);
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value as S | '')}>
        <option value="">{t('any')}</option>
        {statuses.map((s) => (
          <option key={s} value={s}>
            {optionLabel(s)}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * One page of a connection as a table (scrolling sideways when wide, named by its caption), "loading"
 * before the first answer, and the buttons back to the first page and on to the next.
 */
export function PagedTable<Row>({
  loading,
  pageInfo,
  after,
  onAfter,
  scroll = true,
  ...table
}: {
  caption: string;
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  empty: string;
  loading: boolean;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined;
  after: string | null;
  onAfter: (after: string | null) => void;
  scroll?: boolean;
}) {
  const t = useT(messages);
  const body = <DataTable {...table} />;
  return (
    <>
      {loading ? (
        <p className="muted">{t('loading')}</p>
      ) : scroll ? (
        <ScrollRegion label={table.caption}>{body}</ScrollRegion>
      ) : (
        body
      )}
      <div className="row-actions">
        {after && (
          <button type="button" className="secondary" onClick={() => onAfter(null)}>
            {t('first')}
          </button>
        )}
        {pageInfo?.hasNextPage && (
          <button type="button" className="secondary" onClick={() => onAfter(pageInfo.endCursor ?? null)}>
            {t('more')}
          </button>
        )}
      </div>
    </>
  );
}
