import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { Link } from 'wouter';
import { useT } from '../../i18n';
import { AuthPage } from '../../layout/AuthPage';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { StatusNotice } from '../../ui/StatusNotice';
import { RequestPasswordResetDocument } from './operations';
import { publicMessages } from './public-messages';

/** Asks for a reset link; the answer is the same whether the email has an account or not. */
export default function ForgotPassword() {
  const t = useT(publicMessages);
  const [result, request] = useMutation(RequestPasswordResetDocument);
  const [email, setEmail] = useState('');

  async function submit(e: FormEvent) {
    e.preventDefault();
    await request({ email });
  }

  return (
    <AuthPage title={t('forgotTitle')}>
      {result.data?.requestPasswordReset ? (
        <div className="stack">
          <StatusNotice>{t('forgotSent')}</StatusNotice>
          <Link href="/sign-in">{t('backToSignIn')}</Link>
        </div>
      ) : (
        <form onSubmit={submit} className="stack">
          <p>{t('forgotHelp')}</p>
          <label>
            {t('email')}
            <input
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </label>
          <ErrorNotice error={result.error} explain={{ RATE_LIMITED: t('rateLimited') }} />
          <div className="row">
            <button type="submit" disabled={result.fetching}>
              {t('forgotSubmit')}
            </button>
            <Link href="/sign-in">{t('backToSignIn')}</Link>
          </div>
        </form>
      )}
    </AuthPage>
  );
}
