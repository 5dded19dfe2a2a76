import { useEffect } from 'react';
import { type CombinedError, useQuery, useSubscription } from 'urql';
import type { OverviewTodayQuery } from '../../gql/graphql';
import { useLocale, useT } from '../../i18n';
import { Card } from '../../ui/Page';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { formatMoney } from '../../ui/money';
import { messages } from './messages';
import { LimitChangedDocument, TodayUsageDocument } from './operations';

type Limit = NonNullable<OverviewTodayQuery['todayUsage']>['limits'][number];

/** Tenths of a percent of `used` against `limit`, with BigInt (limits are nanos or counts). */
function permille(used: string, limit: string): number {
  const l = BigInt(limit);
  if (l <= 0n) return 1000;
  const p = (BigInt(used) * 1000n) / l;
  return Number(p > 1000n ? 1000n : p < 0n ? 0n : p);
}

function LimitRow({ limit }: { limit: Limit }) {
  const t = useT(messages);
  const show = (v: string) =>
    limit.metric === 'COST' && limit.currency
      ? formatMoney({ amount: v, currency: limit.currency, unit: 'NANO' }, { digits: 2 })
      : BigInt(v).toLocaleString();
  const name = `${t(`metric${limit.metric}`)}${limit.model ? ` ${t('onModel', { model: limit.model })}` : ''}`;
  const pm = permille(limit.used, limit.limit);
  return (
    <li className={pm >= 1000 ? 'limit reached' : 'limit'}>
      <div className="limit-head">
        <span>{name}</span>
        <span className="amount">{t('ofLimit', { used: show(limit.used), limit: show(limit.limit) })}</span>
      </div>
      <meter min={0} max={1000} low={800} high={999} optimum={0} value={pm} aria-label={name} />
    </li>
  );
}

/**
 * Today's use of the plan's daily limits (the plan's own day, which resets at its midnight). The gateway
 * announces warnings, limits reached and resets with `limitChanged`; any of them, or a change of a
 * balance (`pulse`), reloads the figures.
 */
export function useToday(organizationId: string, pulse: number) {
  const [{ data, error }, refetch] = useQuery({ query: TodayUsageDocument, variables: { organizationId } });
  const [{ data: event }] = useSubscription(
    { query: LimitChangedDocument, variables: { organizationId } },
    (_prev, e) => e,
  );
  useEffect(() => {
    if (pulse > 0 || event) refetch({ requestPolicy: 'network-only' });
  }, [pulse, event, refetch]);
  return { data, error };
}

export function TodayLimits({ data, error }: { data?: OverviewTodayQuery; error?: CombinedError }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const today = data?.todayUsage;
  const plan = data?.effectivePlan?.plan;
  return (
    <Card title={t('today')}>
      <ErrorNotice error={error} />
      {data && (
        <>
          <p className="muted">{plan ? t('plan', { name: plan.name }) : t('noPlan')}</p>
          {today ? (
            <>
              <ul className="limits">
                {today.limits.map((l) => (
                  <LimitRow key={`${l.metric}:${l.model ?? ''}:${l.currency ?? ''}`} limit={l} />
                ))}
              </ul>
              <p className="muted">
                {t('resetsAt', {
                  day: today.day,
                  time: new Date(today.resetsAt).toLocaleString(locale),
                })}
              </p>
            </>
          ) : (
            plan && <p>{t('noDailyLimits')}</p>
          )}
        </>
      )}
    </Card>
  );
}
