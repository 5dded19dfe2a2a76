import { useEffect, useRef, useState } from 'react';
import { useSubscription } from 'urql';
import type { BalanceChangedSubscription, OverviewWalletsQuery } from '../../gql/graphql';
import { useT } from '../../i18n';
import { formatMoney } from '../../ui/money';
import { messages } from './messages';
import { BalanceChangedDocument } from './operations';

export type OverviewWallet = NonNullable<OverviewWalletsQuery['wallets']['edges'][number]>['node'];
type BalanceEvent = BalanceChangedSubscription['balanceChanged'];

/**
 * One wallet: its balance, available and held amounts as loaded, then as `balanceChanged` reports them
 * (the wallet once the subscription listens, then every ledger move and hold of the wallet), so the
 * figures follow spending without a reload and miss no change made while the subscription started.
 */
export function WalletCard({
  wallet,
  onChange,
}: {
  wallet: OverviewWallet;
  onChange: (reason: string) => void;
}) {
  const t = useT(messages);
  const [{ data }] = useSubscription(
    { query: BalanceChangedDocument, variables: { walletId: wallet.id } },
    (_prev, event) => event,
  );
  // The last event, and the loaded wallet it came after: a wallet loaded again (after a reconnection)
  // is newer than any event before it.
  const walletRef = useRef(wallet);
  walletRef.current = wallet;
  const [live, setLive] = useState<{ after: OverviewWallet; event: BalanceEvent } | null>(null);
  const event = data?.balanceChanged;
  useEffect(() => {
    if (!event) return;
    setLive({ after: walletRef.current, event });
    // The first event (`current`: the wallet once the subscription listens) changes nothing else.
    if (event.reason !== 'current') onChange(event.reason);
  }, [event, onChange]);
  const now = live && live.after === wallet ? live.event : null;
  const balance = now?.balance ?? wallet.balance;
  const available = now?.available ?? wallet.available;
  const held = now?.held ?? wallet.held;
  const headingId = `wallet-${wallet.id}`;
  return (
    <section className="card wallet" aria-labelledby={headingId} data-wallet-id={wallet.id}>
      <h3 id={headingId}>
        {wallet.currency} · {t(`owner${wallet.owner.type}`)}
        {wallet.status !== 'ACTIVE' && (
          <span className="badge">{t(`status${wallet.status as 'FROZEN'}`)}</span>
        )}
      </h3>
      <dl className="figures">
        <div>
          <dt>{t('balance')}</dt>
          <dd className="amount big" data-testid="balance">
            {formatMoney(balance)}
          </dd>
        </div>
        <div>
          <dt>{t('available')}</dt>
          <dd className="amount">{formatMoney(available)}</dd>
        </div>
        <div>
          <dt>{t('held')}</dt>
          <dd className="amount">{formatMoney(held)}</dd>
        </div>
      </dl>
    </section>
  );
}
