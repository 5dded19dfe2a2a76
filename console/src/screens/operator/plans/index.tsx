import { useState } from 'react';
import { useQuery } from 'urql';
import type { PlanStatus } from '../../../gql/graphql';
import { useT } from '../../../i18n';
import '../../../ui/forms.css';
import { DataTable } from '../../../ui/DataTable';
import { ScrollRegion } from '../../../ui/ScrollRegion';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { Card, Page } from '../../../ui/Page';
import { formatNanosExact } from '../../../ui/money';
import { Assignments } from './Assignments';
import { Grants } from './Grants';
import { messages } from './messages';
import { PlansDocument } from './operations';
import { PlanForm } from './PlanForm';

/** Operators: plans with their daily limits and overflow policy, grants of private plans, assignments. */
export default function PlansScreen() {
  const t = useT(messages);
  const [status, setStatus] = useState<PlanStatus | ''>('');
  const [{ data, error, fetching }, refetch] = useQuery({
    query: PlansDocument,
    variables: { status: status || null },
  });
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const plans = data?.plans ?? [];
  const organizations = (data?.organizations.edges ?? []).map((e) => e.node);
  const current = editing && editing !== 'new' ? (plans.find((p) => p.id === editing) ?? null) : null;

  return (
    <Page
      title={t('title')}
      actions={
        <button type="button" onClick={() => setEditing('new')}>
          {t('newPlan')}
        </button>
      }
    >
      <ErrorNotice error={error} />
      <Card title={t('plans')}>
        <label>
          {t('statusFilter')}
          <select value={status} onChange={(e) => setStatus(e.target.value as PlanStatus | '')}>
            <option value="">{t('all')}</option>
            <option value="ACTIVE">ACTIVE</option>
            <option value="ARCHIVED">ARCHIVED</option>
          </select>
        </label>
        {fetching && !data ? (
          <p className="muted">{t('loading')}</p>
        ) : (
          <ScrollRegion label={t('plans')}>
            <DataTable
              caption={t('plans')}
              rows={plans}
              rowKey={(p) => p.id}
              empty={t('none')}
              columns={[
                { key: 'code', header: t('code'), cell: (p) => <code>{p.code}</code> },
                { key: 'name', header: t('name'), cell: (p) => p.name },
                { key: 'kind', header: t('kind'), cell: (p) => p.kind },
                { key: 'overflow', header: t('overflow'), cell: (p) => p.overflowPolicy },
                { key: 'visibility', header: t('visibility'), cell: (p) => p.visibility },
                { key: 'status', header: t('status'), cell: (p) => p.status },
                {
                  key: 'limits',
                  header: t('limits'),
                  cell: (p) =>
                    p.dailyLimits
                      .map(
                        (l) =>
                          `${l.metric}${l.model ? ` ${l.model}` : ''} ≤ ${
                            l.metric === 'COST'
                              ? `${formatNanosExact(l.limitValue)} ${l.currency}`
                              : l.limitValue
                          }`,
                      )
                      .join('; ') || '—',
                },
                {
                  key: 'grants',
                  header: t('grants'),
                  align: 'right',
                  cell: (p) => (p.visibility === 'PRIVATE' ? p.grantedOrganizationIds.length : '—'),
                },
                {
                  key: 'actions',
                  header: t('actions'),
                  cell: (p) => (
                    <button
                      type="button"
                      className="secondary"
                      aria-label={`${t('edit')} ${p.code}`}
                      onClick={() => setEditing(p.id)}
                    >
                      {t('edit')}
                    </button>
                  ),
                },
              ]}
            />
          </ScrollRegion>
        )}
      </Card>
      {editing && (
        <Card>
          <PlanForm key={editing} plan={current} onSaved={reload} onClose={() => setEditing(null)} />
          {current?.visibility === 'PRIVATE' && (
            <Grants plan={current} organizations={organizations} onChanged={reload} />
          )}
        </Card>
      )}
      <Card title={t('assignmentsTitle')}>
        <Assignments organizations={organizations} plans={plans} />
      </Card>
    </Page>
  );
}
