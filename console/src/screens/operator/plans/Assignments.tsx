import { type FormEvent, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import type { PlanSubjectType } from '../../../gql/graphql';
import { useT } from '../../../i18n';
import { DataTable } from '../../../ui/DataTable';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { StatusNotice } from '../../../ui/StatusNotice';
import { formatUtc, utcInputToIso } from '../../../ui/dates';
import { rawId } from '../../../ui/ids';
import type { OrgChoice } from './Grants';
import { messages } from './messages';
import {
  AssignPlanDocument,
  DeletePlanAssignmentDocument,
  PlanAssignmentsDocument,
  UpdatePlanAssignmentDocument,
} from './operations';

const SUBJECTS: PlanSubjectType[] = ['ORGANIZATION', 'TEAM', 'USER', 'API_KEY'];

/** An organization's plan assignments: assign (platform assignments lock them), end now, delete. */
export function Assignments({
  organizations,
  plans,
}: {
  organizations: readonly OrgChoice[];
  plans: readonly { id: string; code: string; name: string; status: string }[];
}) {
  const t = useT(messages);
  const [orgId, setOrgId] = useState('');
  const [{ data, error }, refetch] = useQuery({
    query: PlanAssignmentsDocument,
    variables: { organizationId: orgId },
    pause: !orgId,
    requestPolicy: 'network-only',
  });
  const [planId, setPlanId] = useState('');
  const [subjectType, setSubjectType] = useState<PlanSubjectType>('ORGANIZATION');
  const [subjectId, setSubjectId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [assignState, assign] = useMutation(AssignPlanDocument);
  const [updateState, update] = useMutation(UpdatePlanAssignmentDocument);
  const [deleteState, remove] = useMutation(DeletePlanAssignmentDocument);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const after = (message: 'assigned' | 'updated') => (res: { data?: unknown }) => {
    if (!res.data) return;
    setDone(t(message));
    reload();
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    const res = await assign({
      input: {
        organizationId: orgId,
        planId,
        subjectType,
        subjectId: rawId(subjectId.trim() || orgId),
        effectiveFrom: utcInputToIso(from),
        effectiveTo: utcInputToIso(to),
      },
    });
    after('assigned')(res);
  }

  return (
    <div>
      <label>
        {t('pickOrg')}
        <select value={orgId} onChange={(e) => setOrgId(e.target.value)}>
          <option value="">{t('choose')}</option>
          {organizations.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name} ({o.slug})
            </option>
          ))}
        </select>
      </label>
      <ErrorNotice error={error ?? updateState.error ?? deleteState.error} />
      {orgId && data && (
        <DataTable
          caption={t('assignmentsTitle')}
          rows={data.planAssignments}
          rowKey={(a) => a.id}
          empty={t('noAssignments')}
          columns={[
            { key: 'plan', header: t('plan'), cell: (a) => `${a.plan.name} (${a.plan.code})` },
            { key: 'subject', header: t('subject'), cell: (a) => `${a.subjectType} ${a.subjectId}` },
            { key: 'from', header: t('from'), cell: (a) => formatUtc(a.effectiveFrom) },
            { key: 'to', header: t('to'), cell: (a) => formatUtc(a.effectiveTo) },
            { key: 'by', header: t('by'), cell: (a) => a.assignedBy },
            {
              key: 'actions',
              header: t('actions'),
              cell: (a) => (
                <div className="row-actions">
                  {!a.effectiveTo && (
                    <button
                      type="button"
                      className="secondary"
                      aria-label={t('endFor', { plan: a.plan.code })}
                      onClick={async () =>
                        after('updated')(await update({ id: a.id, effectiveTo: new Date().toISOString() }))
                      }
                    >
                      {t('endNow')}
                    </button>
                  )}
                  <button
                    type="button"
                    className="danger"
                    aria-label={t('deleteFor', { plan: a.plan.code })}
                    onClick={async () => after('updated')(await remove({ id: a.id }))}
                  >
                    {t('delete')}
                  </button>
                </div>
              ),
            },
          ]}
        />
      )}
      {orgId && (
        <form onSubmit={submit} aria-label={t('assign')}>
          <div className="form-row">
            <label>
              {t('plan')}
              <select required value={planId} onChange={(e) => setPlanId(e.target.value)}>
                <option value="">{t('choose')}</option>
                {plans
                  .filter((p) => p.status === 'ACTIVE')
                  .map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} ({p.code})
                    </option>
                  ))}
              </select>
            </label>
            <label>
              {t('subjectType')}
              <select value={subjectType} onChange={(e) => setSubjectType(e.target.value as PlanSubjectType)}>
                {SUBJECTS.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('subjectId')}
              <input value={subjectId} onChange={(e) => setSubjectId(e.target.value)} />
            </label>
            <label>
              {t('from')}
              <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
            </label>
            <label>
              {t('to')}
              <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
            </label>
          </div>
          <ErrorNotice error={assignState.error} />
          <StatusNotice>{done}</StatusNotice>
          <button type="submit" disabled={assignState.fetching}>
            {t('assign')}
          </button>
        </form>
      )}
    </div>
  );
}
