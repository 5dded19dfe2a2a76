import '../../ui/forms.css';
import { useQuery } from 'urql';
import { useT } from '../../i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Page } from '../../ui/Page';
import { useViewer } from '../../viewer';
import { Members } from './Members';
import { NotificationSettings } from './NotificationSettings';
import { Teams } from './Teams';
import { WebhookEndpoints } from './WebhookEndpoints';
import { messages } from './messages';
import { TeamOrganizationQuery } from './operations';

/**
 * Members and roles, teams, notification settings and webhook endpoints of the viewer's organization.
 * Owners and admins (with the manage scope) see the controls; the gateway's rank rules decide the rest.
 */
export default function TeamScreen() {
  const t = useT(messages);
  const { viewer } = useViewer();
  const organizationId = viewer.organization?.id ?? '';
  const canManage =
    (viewer.role === 'OWNER' || viewer.role === 'ADMIN' || viewer.kind === 'platform_admin') &&
    viewer.scopes.includes('MANAGE');
  const [result, refetch] = useQuery({
    query: TeamOrganizationQuery,
    variables: { id: organizationId },
    pause: !organizationId,
  });
  const org = result.data?.organization;
  const members = org?.memberships.edges.map((e) => e.node) ?? [];
  const reload = () => refetch({ requestPolicy: 'network-only' });
  return (
    <Page title={t('title')}>
      <ErrorNotice error={result.error} />
      {!canManage && <p className="notice">{t('readOnly')}</p>}
      <Members organizationId={organizationId} members={members} canManage={canManage} onChanged={reload} />
      <Teams
        organizationId={organizationId}
        teams={org?.teams.edges.map((e) => e.node) ?? []}
        members={members}
        canManage={canManage}
        onChanged={reload}
      />
      <NotificationSettings organizationId={organizationId} canManage={canManage} />
      <WebhookEndpoints organizationId={organizationId} canManage={canManage} />
    </Page>
  );
}
