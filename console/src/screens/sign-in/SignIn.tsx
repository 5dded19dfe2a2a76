import { useEffect, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { useRestartClient } from '../../client';
import { useT } from '../../i18n';
import { AuthPage } from '../../layout/AuthPage';
import { useViewerState } from '../../viewer';
import { Field, TotpCodeField } from '../../ui/Field';
import { AuthForm, EmailField } from './AuthForm';
import { messages } from './messages';
import { AuthSettingsDocument, SignInDocument } from './operations';
import { publicMessages } from './public-messages';
import { safeNext } from './RequireSignIn';

/**
 * Email and password, then the authenticator code when the account has TOTP on (`totpRequired`: the
 * gateway made no session yet, so the second call sends all three). Signed in → back where the person
 * was sent from (`?next=`), with a fresh client so nothing of the signed-out state is kept.
 */
export default function SignIn() {
  const t = useT(messages);
  const tp = useT(publicMessages);
  const [settings] = useQuery({ query: AuthSettingsDocument });
  const [, navigate] = useLocation();
  const next = safeNext(new URLSearchParams(useSearch()).get('next'));
  const restart = useRestartClient();
  const { viewer } = useViewerState();
  const [result, signIn] = useMutation(SignInDocument);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totpCode, setTotpCode] = useState('');
  const [totpStep, setTotpStep] = useState(false);

  useEffect(() => {
    if (viewer) navigate(next, { replace: true });
  }, [viewer, next, navigate]);

  async function submit() {
    const r = await signIn({ input: { email, password, ...(totpStep ? { totpCode } : {}) } });
    if (r.data?.signIn.totpRequired) {
      setTotpStep(true);
      return;
    }
    if (r.data?.signIn.viewer) {
      navigate(next, { replace: true });
      restart();
    }
  }

  const explain = {
    INVALID_CREDENTIALS: totpStep ? t('totpInvalid') : t('invalidCredentials'),
    TOTP_CODE_INVALID: t('totpInvalid'),
    RATE_LIMITED: t('rateLimited'),
    // The GraphQL cost budget of one address for callers not signed in.
    RATE_LIMIT_EXCEEDED: t('rateLimited'),
    EMAIL_NOT_VERIFIED: t('emailNotVerified'),
  };

  return (
    <AuthPage title={totpStep ? t('totpTitle') : t('title')}>
      <AuthForm
        onSubmit={submit}
        error={result.error}
        explain={explain}
        fetching={result.fetching}
        submitLabel={totpStep ? t('verify') : t('submit')}
        actions={
          totpStep && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setTotpStep(false);
                setTotpCode('');
              }}
            >
              {t('back')}
            </button>
          )
        }
      >
        {totpStep ? (
          <>
            <p>{t('totpHelp')}</p>
            <TotpCodeField
              label={t('totpCode')}
              // The one field of this step, right after the password.
              autoFocus
              value={totpCode}
              onValue={setTotpCode}
            />
          </>
        ) : (
          <>
            <EmailField label={t('email')} value={email} onValue={setEmail} />
            <Field
              label={t('password')}
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onValue={setPassword}
            />
          </>
        )}
      </AuthForm>
      {!totpStep && (
        <p className="row">
          <Link href="/forgot-password">{tp('forgotLink')}</Link>
          {settings.data?.authSettings.signUpOpen && <Link href="/sign-up">{tp('signUpLink')}</Link>}
        </p>
      )}
    </AuthPage>
  );
}
