import { useQuery } from 'urql';
import { Link } from 'wouter';
import { useT } from '../../../i18n';
import { DataTable, moneyColumn } from '../../../ui/DataTable';
import { ScrollRegion } from '../../../ui/ScrollRegion';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { Card, Page } from '../../../ui/Page';
import { formatUtc } from '../../../ui/dates';
import { rawId } from '../../../ui/ids';
import { messages } from './messages';
import { OrganizationDetailDocument } from './operations';
import { WalletPostingForm } from './WalletPostingForm';

export function OrganizationDetail({ id }: { id: string }) {
  const t = useT(messages);
  const [{ data, error, fetching }, refetch] = useQuery({
    query: OrganizationDetailDocument,
    variables: { id },
    requestPolicy: 'network-only',
  });
  const back = (
    <Link href="/operator/organizations" className="button secondary">
      {t('back')}
    </Link>
  );
  if (!data) {
    return (
      <Page title={t('title')} actions={back}>
        <ErrorNotice error={error} />
        {fetching && <p className="muted">{t('loading')}</p>}
      </Page>
    );
  }
  const org = data.organization;
  const wallets = data.wallets.edges.map((e) => e.node);
  const members = org.memberships.edges.map((e) => e.node);
  const keyCount = `${data.apiKeys.edges.length}${data.apiKeys.pageInfo.hasNextPage ? '+' : ''}`;
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const orgRawId = rawId(org.id);
  // Raw ids of the organization itself read as its name; a team's or user's id stays (it names which).
  const subject = (type: string, id: string) => (id === orgRawId ? t('thisOrganization') : `${type} ${id}`);
  return (
    <Page title={org.name} actions={back}>
      <ErrorNotice error={error} />
      <p className="muted">
        {org.slug} · {orgRawId} · {t('status')}: {org.status} · {t('created')} {formatUtc(org.createdAt)} ·{' '}
        {t('apiKeys')}: <strong>{keyCount}</strong>
      </p>
      <Card title={t('wallets')}>
        <DataTable
          caption={t('wallets')}
          rows={wallets}
          rowKey={(w) => w.id}
          empty={t('noWallets')}
          columns={[
            { key: 'currency', header: t('currency'), cell: (w) => w.currency },
            { key: 'owner', header: t('owner'), cell: (w) => subject(w.owner.type, w.owner.id) },
            { key: 'status', header: t('status'), cell: (w) => w.status },
            moneyColumn('balance', t('balance')),
            moneyColumn('available', t('available')),
            moneyColumn('held', t('held')),
          ]}
        />
        {wallets.map((w) => (
          <details key={w.id}>
            <summary>{t('recent', { currency: w.currency, owner: w.owner.type })}</summary>
            <DataTable
              caption={t('recent', { currency: w.currency, owner: w.owner.type })}
              rows={w.entries.edges.map((e) => e.node)}
              rowKey={(e) => e.id}
              empty={t('noEntries')}
              columns={[
                { key: 'at', header: t('created'), cell: (e) => formatUtc(e.createdAt) },
                { key: 'reason', header: t('reason'), cell: (e) => e.reason },
                { key: 'description', header: t('description'), cell: (e) => e.description ?? '' },
                moneyColumn('amount', t('amount')),
              ]}
            />
          </details>
        ))}
      </Card>
      <div className="grid-2">
        <Card title={t('grantTitle')}>
          <WalletPostingForm kind="grant" organizationId={org.id} wallets={wallets} onPosted={reload} />
        </Card>
        <Card title={t('adjustTitle')}>
          <p className="field-hint">{t('adjustHint')}</p>
          <WalletPostingForm kind="adjust" organizationId={org.id} wallets={wallets} onPosted={reload} />
        </Card>
      </div>
      <div className="grid-2">
        <Card title={t('members')}>
          <DataTable
            caption={t('members')}
            rows={members}
            rowKey={(m) => m.id}
            empty={t('noMembers')}
            columns={[
              { key: 'email', header: t('email'), cell: (m) => m.user.email },
              { key: 'name', header: t('name'), cell: (m) => m.user.name ?? '' },
              { key: 'role', header: t('role'), cell: (m) => m.role },
            ]}
          />
        </Card>
        <Card title={t('plan')}>
          <ScrollRegion label={t('plan')}>
            <DataTable
              caption={t('plan')}
              rows={data.planAssignments}
              rowKey={(a) => a.id}
              empty={t('noPlan')}
              columns={[
                { key: 'plan', header: t('planColumn'), cell: (a) => `${a.plan.name} (${a.plan.code})` },
                { key: 'subject', header: t('subject'), cell: (a) => subject(a.subjectType, a.subjectId) },
                { key: 'from', header: t('from'), cell: (a) => formatUtc(a.effectiveFrom) },
                { key: 'to', header: t('to'), cell: (a) => formatUtc(a.effectiveTo) },
              ]}
            />
          </ScrollRegion>
        </Card>
      </div>
      <p className="field-hint">{t('noSuspend')}</p>
    </Page>
  );
}
