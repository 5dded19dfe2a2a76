import type { UseQueryState } from 'urql';
import type { TopUpWalletsQuery as Wallets } from '../../gql/graphql';
import { useT } from '../../i18n';
import { type Column, DataTable, moneyColumn } from '../../ui/DataTable';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Card } from '../../ui/Page';
import { messages } from './messages';

type WalletRow = Wallets['wallets']['edges'][number]['node'];

/** The wallets a top-up credits, so the person sees the credit arrive. */
export function Balances({ result }: { result: UseQueryState<Wallets> }) {
  const t = useT(messages);
  const rows = result.data?.wallets.edges.map((e) => e.node) ?? [];
  const columns: Column<WalletRow>[] = [
    { key: 'owner', header: t('wallet'), cell: (w) => t(`owner.${w.owner.type}`) },
    { key: 'currency', header: t('currency'), cell: (w) => w.currency },
    moneyColumn('balance', t('balance')),
    moneyColumn('available', t('available')),
  ];
  return (
    <Card title={t('balances')}>
      <ErrorNotice error={result.error} />
      <DataTable
        caption={t('balances')}
        columns={columns}
        rows={rows}
        rowKey={(w) => w.id}
        empty={t('noWallets')}
      />
    </Card>
  );
}
