import { useMutation } from 'urql';
import { useT } from '../../../i18n';
import { DataTable } from '../../../ui/DataTable';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { StatusNotice } from '../../../ui/StatusNotice';
import { formatNanosExact } from '../../../ui/money';
import { useOnDemandQuery } from '../../../ui/useOnDemandQuery';
import { messages } from './messages';
import { LiteLLMDriftDocument, ResyncLiteLLMBudgetsDocument } from './operations';

/** litellmDrift on demand, and the backstop resync (every USD wallet's max_budget pushed through the outbox). */
export function DriftCheck() {
  const t = useT(messages);
  const [{ data, error, fetching }, run] = useOnDemandQuery(LiteLLMDriftDocument);
  const [resyncState, resync] = useMutation(ResyncLiteLLMBudgetsDocument);
  return (
    <div>
      <p className="field-hint">{t('driftHint')}</p>
      <div className="row-actions">
        <button type="button" disabled={fetching} onClick={() => run({})}>
          {t('compare')}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={resyncState.fetching}
          onClick={() => resync({ walletId: null })}
        >
          {t('resync')}
        </button>
      </div>
      <ErrorNotice error={error ?? resyncState.error} />
      <StatusNotice>
        {resyncState.data ? t('resynced', { n: resyncState.data.resyncLiteLLMBudgets }) : null}
      </StatusNotice>
      {data && (
        <DataTable
          caption={t('drift')}
          rows={data.litellmDrift}
          rowKey={(d) => `${d.entityType}:${d.entityId}`}
          empty={t('noDrift')}
          columns={[
            { key: 'entity', header: t('entity'), cell: (d) => `${d.entityType} ${d.entityId}` },
            {
              key: 'direction',
              header: t('direction'),
              cell: (d) => (
                <span className={`badge ${d.direction === 'NONE' ? 'badge-ok' : 'badge-bad'}`}>
                  {d.direction}
                </span>
              ),
            },
            { key: 'drift', header: t('driftUsd'), align: 'right', cell: (d) => d.driftUsd },
            { key: 'litellm', header: t('litellmUsd'), align: 'right', cell: (d) => d.litellmSpendUsd },
            {
              key: 'tollgate',
              header: t('tollgateUsd'),
              align: 'right',
              cell: (d) => formatNanosExact(d.tollgateUsageNanos),
            },
          ]}
        />
      )}
    </div>
  );
}
