import { useCallback, useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { Redirect } from 'wouter';
import { useOnReconnected } from '../../client';
import { useT } from '../../i18n';
import { fixedOffset } from '../../ui/dates';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Card, Page } from '../../ui/Page';
import { useViewer } from '../../viewer';
import { WalletCard } from './Balances';
import { messages } from './messages';
import { OverviewWalletsDocument } from './operations';
import { SpendChart } from './SpendChart';
import { TodayLimits, useToday } from './TodayLimits';

/**
 * Several balance events arrive per request (hold, usage, release): the figures that need a query
 * (today's limits, the chart) reload once they have settled, not for each.
 */
function usePulse(quietMs = 400): [number, () => void] {
  const [pulse, setPulse] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const bump = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setPulse((p) => p + 1), quietMs);
  }, [quietMs]);
  return [pulse, bump];
}

/** Balances per wallet (live), today's use against the plan's daily limits, and spend over 30 days. */
export default function Overview() {
  const t = useT(messages);
  const { viewer } = useViewer();
  const organizationId = viewer.organization?.id;
  // An operator who belongs to no organization starts at the operator screens.
  if (!organizationId && viewer.isPlatformAdmin) return <Redirect to="/operator/organizations" replace />;
  if (!organizationId)
    return (
      <Page title={t('title')}>
        <p>{t('noOrganization')}</p>
      </Page>
    );
  return <OrganizationOverview organizationId={organizationId} />;
}

function OrganizationOverview({ organizationId }: { organizationId: string }) {
  const t = useT(messages);
  const [pulse, bump] = usePulse();
  const [{ data, error }, refetchWallets] = useQuery({
    query: OverviewWalletsDocument,
    variables: { organizationId },
  });
  // Balance events sent while the WebSocket was down are lost: load everything again when it is back.
  useOnReconnected(
    useCallback(() => {
      refetchWallets({ requestPolicy: 'network-only' });
      bump();
    }, [refetchWallets, bump]),
  );
  const today = useToday(organizationId, pulse);
  const wallets = (data?.wallets.edges ?? []).map((e) => e.node);
  const orgWallet = wallets.find((w) => w.owner.type === 'ORGANIZATION');
  const offset = fixedOffset(today.data?.effectivePlan?.plan.timeZone, new Date());
  return (
    <Page title={t('title')}>
      <Card title={t('balances')}>
        <ErrorNotice error={error} />
        {data && wallets.length === 0 && <p className="muted">{t('noWallets')}</p>}
        <div className="cards">
          {wallets.map((w) => (
            <WalletCard key={w.id} wallet={w} onChange={bump} />
          ))}
        </div>
      </Card>
      <div className="overview-grid">
        <TodayLimits data={today.data} error={today.error} />
        <SpendChart
          organizationId={organizationId}
          offset={offset}
          preferredCurrency={orgWallet?.currency ?? wallets[0]?.currency ?? null}
          pulse={pulse}
        />
      </div>
    </Page>
  );
}
