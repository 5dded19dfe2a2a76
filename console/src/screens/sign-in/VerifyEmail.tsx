import { useEffect, useRef } from 'react';
import { useMutation } from 'urql';
import { Link, useSearch } from 'wouter';
import { useT } from '../../i18n';
import { AuthPage } from '../../layout/AuthPage';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { StatusNotice } from '../../ui/StatusNotice';
import { VerifyEmailDocument } from './operations';
import { publicMessages } from './public-messages';

/** The link of the verification email: spends its token once on opening, then offers sign-in. */
export default function VerifyEmail() {
  const t = useT(publicMessages);
  const token = new URLSearchParams(useSearch()).get('token');
  const [result, verify] = useMutation(VerifyEmailDocument);
  // The token is single-use: StrictMode's second effect run must not spend it again (and then fail).
  const sent = useRef(false);
  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    void verify({ token });
  }, [token, verify]);

  return (
    <AuthPage title={t('verifyTitle')}>
      <div className="stack">
        {!token ? (
          <div role="alert" className="notice notice-error">
            {t('noToken')}
          </div>
        ) : result.data?.verifyEmail ? (
          <StatusNotice>{t('verified')}</StatusNotice>
        ) : result.error ? (
          <ErrorNotice
            error={result.error}
            explain={{ TOKEN_INVALID: t('tokenInvalid'), RATE_LIMITED: t('rateLimited') }}
          />
        ) : (
          <p className="muted">{t('verifying')}</p>
        )}
        <Link href="/sign-in">{t('signIn')}</Link>
      </div>
    </AuthPage>
  );
}
