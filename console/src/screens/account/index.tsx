import { useT } from '../../i18n';
import { DataTable } from '../../ui/DataTable';
import { Card, Page } from '../../ui/Page';
import { useViewer } from '../../viewer';
import { messages } from './messages';
import { Sessions } from './Sessions';
import { Totp } from './Totp';

/** Who is signed in, and the organizations this person belongs to (with the role in each). */
export default function Account() {
  const t = useT(messages);
  const { viewer } = useViewer();
  return (
    <Page title={t('title')}>
      <Card title={t('profile')}>
        <dl className="pairs">
          <dt>{t('email')}</dt>
          <dd>{viewer.user?.email}</dd>
          {viewer.user?.name && (
            <>
              <dt>{t('name')}</dt>
              <dd>{viewer.user.name}</dd>
            </>
          )}
        </dl>
        {viewer.isPlatformAdmin && <p className="muted">{t('operator')}</p>}
      </Card>
      <Card title={t('memberships')}>
        <DataTable
          caption={t('memberships')}
          rows={viewer.organizations}
          rowKey={(m) => m.organization.id}
          empty={t('none')}
          columns={[
            {
              key: 'org',
              header: t('organization'),
              cell: (m) =>
                m.organization.id === viewer.organization?.id ? (
                  <>
                    {m.organization.name} <span className="muted">({t('current')})</span>
                  </>
                ) : (
                  m.organization.name
                ),
            },
            { key: 'role', header: t('role'), cell: (m) => t(`role${m.role}`) },
          ]}
        />
      </Card>
      <Sessions />
      <Totp />
    </Page>
  );
}
