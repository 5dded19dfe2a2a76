import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { Link, useSearch } from 'wouter';
import { useT } from '../../i18n';
import { AuthPage } from '../../layout/AuthPage';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { StatusNotice } from '../../ui/StatusNotice';
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

  async function submit(e: FormEvent) {
    e.preventDefault();
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
        <form onSubmit={submit} className="stack">
          <label>
            {t('newPassword')}
            <input
              type="password"
              name="password"
              autoComplete="new-password"
              required
              aria-describedby="password-hint"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <span id="password-hint" className="muted">
            {t('passwordHint')}
          </span>
          <label>
            {t('passwordAgain')}
            <input
              type="password"
              name="passwordAgain"
              autoComplete="new-password"
              required
              value={again}
              onChange={(e) => setAgain(e.target.value)}
            />
          </label>
          {mismatch && (
            <div role="alert" className="notice notice-error">
              {t('mismatch')}
            </div>
          )}
          <ErrorNotice
            error={result.error}
            explain={{ TOKEN_INVALID: t('tokenInvalid'), RATE_LIMITED: t('rateLimited') }}
          />
          {result.error?.graphQLErrors[0]?.extensions?.code === 'TOKEN_INVALID' && (
            <Link href="/forgot-password">{t('forgotLink')}</Link>
          )}
          <button type="submit" disabled={result.fetching}>
            {t('resetSubmit')}
          </button>
        </form>
      )}
    </AuthPage>
  );
}
