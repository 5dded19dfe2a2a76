import { type FormEvent, useState } from 'react';
import { type CombinedError, useMutation } from 'urql';
import type { OrganizationRole, TeamOrganizationQuery } from '../../gql/graphql';
import { useLocale, useT } from '../../i18n';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { type Column, DataTable } from '../../ui/DataTable';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Card } from '../../ui/Page';
import { messages } from './messages';
import { CreateMemberMutation, RemoveMemberMutation, UpdateMembershipMutation } from './operations';

type Membership = NonNullable<TeamOrganizationQuery['organization']>['memberships']['edges'][number]['node'];

/**
 * Every role is offered to whoever manages members: the gateway applies the rank rules (only an owner
 * makes an owner; admins do not act on owners; the last owner stays) and its typed error is shown.
 */
const ROLES: OrganizationRole[] = ['MEMBER', 'ADMIN', 'OWNER'];

export function Members({
  organizationId,
  members,
  canManage,
  onChanged,
}: {
  organizationId: string;
  members: Membership[];
  canManage: boolean;
  onChanged: () => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [updated, updateMembership] = useMutation(UpdateMembershipMutation);
  const [removed, removeMember] = useMutation(RemoveMemberMutation);
  const [created, createMember] = useMutation(CreateMemberMutation);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<OrganizationRole>('MEMBER');
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });

  async function act(run: () => Promise<{ error?: CombinedError }>, success: string) {
    setDone(null);
    const res = await run();
    setError(res.error ?? null);
    if (!res.error) {
      setDone(success);
      onChanged();
    }
  }

  async function add(e: FormEvent) {
    e.preventDefault();
    await act(
      () =>
        createMember({
          input: { organizationId, email: email.trim(), name: name.trim() || null, role },
        }),
      t('memberAdded', { email: email.trim() }),
    );
    setEmail('');
    setName('');
  }

  const columns: Column<Membership>[] = [
    { key: 'email', header: t('email'), cell: (m) => m.user.email },
    { key: 'name', header: t('name'), cell: (m) => m.user.name ?? '' },
    {
      key: 'role',
      header: t('role'),
      cell: (m) =>
        canManage ? (
          <select
            aria-label={t('roleOf', { email: m.user.email })}
            value={m.role}
            disabled={updated.fetching}
            onChange={(e) => {
              const next = e.target.value as OrganizationRole;
              void act(
                () => updateMembership({ input: { organizationId, userId: m.user.id, role: next } }),
                t('roleChanged', { email: m.user.email, role: t(`role.${next}`) }),
              );
            }}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        ) : (
          t(`role.${m.role}`)
        ),
    },
    { key: 'joined', header: t('joined'), cell: (m) => dates.format(new Date(m.createdAt)) },
  ];
  if (canManage)
    columns.push({
      key: 'actions',
      header: t('actions'),
      cell: (m) => (
        <ConfirmButton
          label={t('removeMember', { email: m.user.email })}
          text={t('remove')}
          confirmText={t('confirm')}
          cancelText={t('cancel')}
          disabled={removed.fetching}
          onConfirm={() =>
            void act(
              () => removeMember({ input: { organizationId, userId: m.user.id } }),
              t('memberRemoved', { email: m.user.email }),
            )
          }
        />
      ),
    });

  return (
    <Card title={t('members')}>
      <ErrorNotice error={error} />
      {done && (
        <p role="status" className="notice notice-ok">
          {done}
        </p>
      )}
      <DataTable
        caption={t('membersCaption')}
        columns={columns}
        rows={members}
        rowKey={(m) => m.id}
        empty={t('noMembers')}
      />
      {canManage && (
        <form onSubmit={add} className="inline-form" aria-label={t('addMember')}>
          <h3 className="sr-only">{t('addMember')}</h3>
          <label>
            {t('email')}
            <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </label>
          <label>
            {t('name')}
            <input value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            {t('role')}
            <select value={role} onChange={(e) => setRole(e.target.value as OrganizationRole)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </label>
          <div className="form-submit">
            <button type="submit" disabled={created.fetching || !email.trim()}>
              {t('addMember')}
            </button>
          </div>
        </form>
      )}
    </Card>
  );
}
