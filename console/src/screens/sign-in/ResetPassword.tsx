import { useState } from 'react';
import { useMutation } from 'urql';
import { Link, useSearch } from 'wouter';
import { useT } from '../../i18n';
import { AuthPage } from '../../layout/AuthPage';
import { StatusNotice } from '../../ui/StatusNotice';
import { Field } from '../../ui/Field';
import { AuthForm, NewPasswordField } from './AuthForm';
import { ResetPasswordDocument } from './operations';
import { publicMessages } from './public-messages';

/** The link of the reset email: a new password (typed twice), then sign in with it. */
export default function ResetPassword() {
  const t = useT(publicMessages);
  const token = new URLSearchParams(useSearch()).get('token');
  const [result, reset] = useMutation(ResetPasswordDocument);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(false);

  async function submit() {
    if (password !== again) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    if (token) await reset({ token, password });
  }

  if (!token)
    return (
      <AuthPage title={t('resetTitle')}>
        <div className="stack">
          <div role="alert" className="notice notice-error">
            {t('noToken')}
          </div>
          <Link href="/forgot-password">{t('forgotLink')}</Link>
        </div>
      </AuthPage>
    );

  return (
    <AuthPage title={t('resetTitle')}>
      {result.data?.resetPassword ? (
        <div className="stack">
          <StatusNotice>{t('resetDone')}</StatusNotice>
          <Link href="/sign-in">{t('signIn')}</Link>
        </div>
      ) : (
        <AuthForm
          onSubmit={submit}
          error={result.error}
          explain={{ TOKEN_INVALID: t('tokenInvalid'), RATE_LIMITED: t('rateLimited') }}
          fetching={result.fetching}
          submitLabel={t('resetSubmit')}
          actions={
            result.error?.graphQLErrors[0]?.extensions?.code === 'TOKEN_INVALID' && (
              <Link href="/forgot-password">{t('forgotLink')}</Link>
            )
          }
        >
          <NewPasswordField
            label={t('newPassword')}
            hint={t('passwordHint')}
            value={password}
            onValue={setPassword}
          />
          <Field
            label={t('passwordAgain')}
            type="password"
            name="passwordAgain"
            autoComplete="new-password"
            required
            value={again}
            onValue={setAgain}
          />
          {mismatch && (
            <div role="alert" className="notice notice-error">
              {t('mismatch')}
            </div>
          )}
        </AuthForm>
      )}
    </AuthPage>
  );
}
