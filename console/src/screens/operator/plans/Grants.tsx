import { useState } from 'react';
import { useMutation } from 'urql';
import type { OperatorPlanFragment } from '../../../gql/graphql';
import { useT } from '../../../i18n';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { rawId } from '../../../ui/ids';
import { messages } from './messages';
import { GrantPlanDocument, RevokePlanGrantDocument } from './operations';

export interface OrgChoice {
  id: string;
  name: string;
  slug: string;
}

/** Which organizations may assign a private plan to themselves (grantPlan / revokePlanGrant, idempotent). */
export function Grants({
  plan,
  organizations,
  onChanged,
}: {
  plan: OperatorPlanFragment;
  organizations: readonly OrgChoice[];
  onChanged: () => void;
}) {
  const t = useT(messages);
  const [orgId, setOrgId] = useState('');
  const [grantState, grant] = useMutation(GrantPlanDocument);
  const [revokeState, revoke] = useMutation(RevokePlanGrantDocument);
  const nameOf = (id: string) => organizations.find((o) => rawId(o.id) === id)?.name ?? id;
  const run = async (p: Promise<{ data?: unknown }>) => {
    if ((await p).data) onChanged();
  };
  return (
    <section aria-label={t('grantTitle', { code: plan.code })}>
      <h3>{t('grantTitle', { code: plan.code })}</h3>
      <p className="field-hint">{t('grantHint')}</p>
      {plan.grantedOrganizationIds.length === 0 ? (
        <p className="muted">{t('noGrants')}</p>
      ) : (
        <ul>
          {plan.grantedOrganizationIds.map((id) => (
            <li key={id}>
              {nameOf(id)}{' '}
              <button
                type="button"
                className="secondary"
                aria-label={t('revokeFor', { org: nameOf(id) })}
                onClick={() => run(revoke({ organizationId: id, planId: plan.id }))}
              >
                {t('revoke')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="form-row">
        <label>
          {t('organization')}
          <select value={orgId} onChange={(e) => setOrgId(e.target.value)}>
            <option value="">{t('choose')}</option>
            {organizations
              .filter((o) => !plan.grantedOrganizationIds.includes(rawId(o.id)))
              .map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name} ({o.slug})
                </option>
              ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!orgId || grantState.fetching}
          onClick={() => run(grant({ organizationId: orgId, planId: plan.id })).then(() => setOrgId(''))}
        >
          {t('grant')}
        </button>
      </div>
      <ErrorNotice error={grantState.error ?? revokeState.error} />
    </section>
  );
}
