import { useT } from '../../../i18n';
import { DataTable } from '../../../ui/DataTable';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { useOnDemandQuery } from '../../../ui/useOnDemandQuery';
import { messages } from './messages';
import { LedgerConsistencyDocument } from './operations';

/** ledgerConsistency on demand: healthy means three empty lists. */
export function LedgerCheck() {
  const t = useT(messages);
  const [{ data, error, fetching }, run] = useOnDemandQuery(LedgerConsistencyDocument);
  const c = data?.ledgerConsistency;
  return (
    <div>
      <p className="field-hint">{t('ledgerHint')}</p>
      <button type="button" disabled={fetching} onClick={() => run({})}>
        {fetching ? t('checking') : t('check')}
      </button>
      <ErrorNotice error={error} />
      {c && (
        <div role="status">
          <p>
            <span className={`badge ${c.ok ? 'badge-ok' : 'badge-bad'}`}>
              {c.ok ? t('healthy') : t('unhealthy')}
            </span>{' '}
            {t('checked', { wallets: c.walletsChecked, transactions: c.transactionsChecked })}
          </p>
        </div>
      )}
      {c && !c.ok && (
        <>
          <h3>{t('walletMismatches')}</h3>
          <DataTable
            caption={t('walletMismatches')}
            rows={c.walletMismatches}
            rowKey={(m) => m.walletId}
            empty="—"
            columns={[
              { key: 'wallet', header: t('wallet'), cell: (m) => <code>{m.walletId}</code> },
              { key: 'currency', header: t('currency'), cell: (m) => m.currency },
              { key: 'balance', header: t('balance'), align: 'right', cell: (m) => m.balanceNanos },
              { key: 'entries', header: t('entries'), align: 'right', cell: (m) => m.entriesSumNanos },
              { key: 'held', header: t('held'), align: 'right', cell: (m) => m.heldNanos },
              { key: 'holds', header: t('holds'), align: 'right', cell: (m) => m.activeHoldsSumNanos },
            ]}
          />
          <h3>{t('accountMismatches')}</h3>
          <DataTable
            caption={t('accountMismatches')}
            rows={c.accountMismatches}
            rowKey={(m) => m.accountId}
            empty="—"
            columns={[
              { key: 'account', header: t('account'), cell: (m) => <code>{m.accountId}</code> },
              { key: 'balance', header: t('balance'), align: 'right', cell: (m) => m.balanceNanos },
              { key: 'entries', header: t('entries'), align: 'right', cell: (m) => m.entriesSumNanos },
            ]}
          />
          <h3>{t('unbalanced')}</h3>
          <DataTable
            caption={t('unbalanced')}
            rows={c.unbalancedTransactions}
            rowKey={(m) => `${m.transactionId}:${m.currency}`}
            empty="—"
            columns={[
              { key: 'tx', header: t('transaction'), cell: (m) => <code>{m.transactionId}</code> },
              { key: 'currency', header: t('currency'), cell: (m) => m.currency },
              { key: 'sum', header: t('sum'), align: 'right', cell: (m) => m.sumNanos },
            ]}
          />
        </>
      )}
    </div>
  );
}
