import { useMutation } from 'urql';
import { useLocation } from 'wouter';
import { useRestartClient } from '../client';
import { useT } from '../i18n';
import { messages } from '../screens/sign-in/messages';
import { SelectOrganizationDocument, SignOutDocument } from '../screens/sign-in/operations';
import { ErrorNotice } from '../ui/ErrorNotice';
import { useViewer } from '../viewer';

/**
 * The organizations the signed-in person belongs to, when more than one: choosing one makes the session
 * act there with that role (`selectOrganization`), and the console starts over as that principal.
 */
export function OrganizationSwitcher() {
  const t = useT(messages);
  const { viewer } = useViewer();
  const restart = useRestartClient();
  const [, navigate] = useLocation();
  const [result, select] = useMutation(SelectOrganizationDocument);
  if (viewer.kind !== 'session' || viewer.organizations.length < 2) return null;
  return (
    <>
      <label className="inline">
        <span className="sr-only">{t('organization')}</span>
        <select
          value={viewer.organization?.id ?? ''}
          disabled={result.fetching}
          onChange={async (e) => {
            const r = await select({ organizationId: e.target.value });
            if (!r.error) {
              navigate('/');
              restart();
            }
          }}
        >
          {!viewer.organization && <option value="">—</option>}
          {viewer.organizations.map((m) => (
            <option key={m.organization.id} value={m.organization.id}>
              {m.organization.name}
            </option>
          ))}
        </select>
      </label>
      <ErrorNotice error={result.error} />
    </>
  );
}

/** Ends the session (the gateway revokes it and clears the cookies), then the sign-in screen. */
export function SignOutButton() {
  const t = useT(messages);
  const { viewer } = useViewer();
  const restart = useRestartClient();
  const [, navigate] = useLocation();
  const [result, signOut] = useMutation(SignOutDocument);
  if (viewer.kind !== 'session') return null;
  return (
    <button
      type="button"
      className="secondary"
      disabled={result.fetching}
      onClick={async () => {
        await signOut({});
        navigate('/sign-in', { replace: true });
        restart();
      }}
    >
      {t('signOut')}
    </button>
  );
}
