import { useState } from 'react';
import { useMutation } from 'urql';
import { Link } from 'wouter';
import { useT } from '../../i18n';
import { AuthPage } from '../../layout/AuthPage';
import { StatusNotice } from '../../ui/StatusNotice';
import { AuthForm, EmailField } from './AuthForm';
import { RequestPasswordResetDocument } from './operations';
import { publicMessages } from './public-messages';

/** Asks for a reset link; the answer is the same whether the email has an account or not. */
export default function ForgotPassword() {
  const t = useT(publicMessages);
  const [result, request] = useMutation(RequestPasswordResetDocument);
  const [email, setEmail] = useState('');

  return (
    <AuthPage title={t('forgotTitle')}>
      {result.data?.requestPasswordReset ? (
        <div className="stack">
          <StatusNotice>{t('forgotSent')}</StatusNotice>
          <Link href="/sign-in">{t('backToSignIn')}</Link>
        </div>
      ) : (
        <AuthForm
          onSubmit={() => request({ email })}
          error={result.error}
          explain={{ RATE_LIMITED: t('rateLimited') }}
          fetching={result.fetching}
          submitLabel={t('forgotSubmit')}
          actions={<Link href="/sign-in">{t('backToSignIn')}</Link>}
        >
          <p>{t('forgotHelp')}</p>
          <EmailField label={t('email')} value={email} onValue={setEmail} />
        </AuthForm>
      )}
    </AuthPage>
  );
}
