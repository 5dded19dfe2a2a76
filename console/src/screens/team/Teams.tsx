import { type FormEvent, useState } from 'react';
import { type CombinedError, useMutation } from 'urql';
import type { TeamOrganizationQuery } from '../../gql/graphql';
import { useT } from '../../i18n';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Card } from '../../ui/Page';
import { messages } from './messages';
import {
  AddTeamMemberMutation,
  CreateTeamMutation,
  DeleteTeamMutation,
  RemoveTeamMemberMutation,
  UpdateTeamMutation,
} from './operations';

type Org = NonNullable<TeamOrganizationQuery['organization']>;
type TeamRow = Org['teams']['edges'][number]['node'];
type Membership = Org['memberships']['edges'][number]['node'];

function TeamItem({
  team,
  members,
  canManage,
  run,
}: {
  team: TeamRow;
  members: Membership[];
  canManage: boolean;
  run: (op: () => Promise<{ error?: CombinedError }>) => Promise<boolean>;
}) {
  const t = useT(messages);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(team.name);
  const [candidate, setCandidate] = useState('');
  const [, updateTeam] = useMutation(UpdateTeamMutation);
  const [, deleteTeam] = useMutation(DeleteTeamMutation);
  const [, addTeamMember] = useMutation(AddTeamMemberMutation);
  const [, removeTeamMember] = useMutation(RemoveTeamMemberMutation);
  const inTeam = new Set(team.members.edges.map((e) => e.node.user.id));
  const outside = members.filter((m) => !inTeam.has(m.user.id));

  async function rename(e: FormEvent) {
    e.preventDefault();
    if (await run(() => updateTeam({ input: { id: team.id, name: name.trim() } }))) setRenaming(false);
  }

  return (
    <li className="team">
      <div className="row-actions">
        <h3>{team.name}</h3>
        {canManage && !renaming && (
          <button type="button" className="secondary" onClick={() => setRenaming(true)}>
            {t('rename')}
          </button>
        )}
        {canManage && (
          <ConfirmButton
            label={t('deleteTeam', { team: team.name })}
            text={t('delete')}
            confirmText={t('confirm')}
            cancelText={t('cancel')}
            onConfirm={() => void run(() => deleteTeam({ id: team.id }))}
          />
        )}
      </div>
      {renaming && (
        <form onSubmit={rename} className="inline-form">
          <label>
            {t('renameTeam', { team: team.name })}
            <input value={name} required onChange={(e) => setName(e.target.value)} />
          </label>
          <div className="form-submit row-actions">
            <button type="submit">{t('save')}</button>
            <button type="button" className="secondary" onClick={() => setRenaming(false)}>
              {t('cancel')}
            </button>
          </div>
        </form>
      )}
      <ul className="plain" aria-label={t('teamMembers', { team: team.name })}>
        {team.members.edges.length === 0 && <li className="muted">{t('noTeamMembers')}</li>}
        {team.members.edges.map(({ node }) => (
          <li key={node.id} className="row-actions">
            <span>{node.user.email}</span>
            {canManage && (
              <button
                type="button"
                className="secondary"
                aria-label={t('removeFromTeam', { email: node.user.email, team: team.name })}
                onClick={() =>
                  void run(() => removeTeamMember({ input: { teamId: team.id, userId: node.user.id } }))
                }
              >
                {t('remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {canManage && outside.length > 0 && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (candidate)
              void run(() => addTeamMember({ input: { teamId: team.id, userId: candidate } })).then(
                (ok) => ok && setCandidate(''),
              );
          }}
        >
          <label>
            {t('addToTeam', { team: team.name })}
            <select value={candidate} onChange={(e) => setCandidate(e.target.value)}>
              <option value="">{t('chooseMember')}</option>
              {outside.map((m) => (
                <option key={m.user.id} value={m.user.id}>
                  {m.user.email}
                </option>
              ))}
            </select>
          </label>
          <div className="form-submit">
            <button type="submit" disabled={!candidate}>
              {t('add')}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

/** Teams (create, rename, delete) and who is in each; the gateway refuses deleting a team with keys. */
export function Teams({
  organizationId,
  teams,
  members,
  canManage,
  onChanged,
}: {
  organizationId: string;
  teams: TeamRow[];
  members: Membership[];
  canManage: boolean;
  onChanged: () => void;
}) {
  const t = useT(messages);
  const [error, setError] = useState<CombinedError | null>(null);
  const [name, setName] = useState('');
  const [created, createTeam] = useMutation(CreateTeamMutation);

  async function run(op: () => Promise<{ error?: CombinedError }>): Promise<boolean> {
    const res = await op();
    setError(res.error ?? null);
    if (!res.error) onChanged();
    return !res.error;
  }

  return (
    <Card title={t('teams')}>
      <ErrorNotice error={error} />
      {teams.length === 0 ? (
        <p className="muted">{t('noTeams')}</p>
      ) : (
        <ul className="plain teams" aria-label={t('teamsCaption')}>
          {teams.map((team) => (
            <TeamItem key={team.id} team={team} members={members} canManage={canManage} run={run} />
          ))}
        </ul>
      )}
      {canManage && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => createTeam({ input: { organizationId, name: name.trim() } })).then(
              (ok) => ok && setName(''),
            );
          }}
        >
          <label>
            {t('teamName')}
            <input value={name} required onChange={(e) => setName(e.target.value)} />
          </label>
          <div className="form-submit">
            <button type="submit" disabled={created.fetching || !name.trim()}>
              {t('createTeam')}
            </button>
          </div>
        </form>
      )}
    </Card>
  );
}
