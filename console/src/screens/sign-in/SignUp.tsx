import { type ReactNode, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { useT } from '../../i18n';
import { AuthPage } from '../../layout/AuthPage';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { StatusNotice } from '../../ui/StatusNotice';
import { Field } from '../../ui/Field';
import { AuthForm, EmailField, NewPasswordField } from './AuthForm';
import { AuthSettingsDocument, SignUpDocument } from './operations';
import { publicMessages } from './public-messages';

/**
 * Self sign-up when the gateway allows it (SIGNUP_ENABLED): a user and the organization it owns; nobody
 * is signed in until the email is verified.
 */
export default function SignUp() {
  const t = useT(publicMessages);
  const [settings] = useQuery({ query: AuthSettingsDocument });
  const [result, signUp] = useMutation(SignUpDocument);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [organizationName, setOrganizationName] = useState('');

  const submit = () =>
    signUp({
      input: { email, password, organizationName, ...(name.trim() ? { name: name.trim() } : {}) },
    });

  let body: ReactNode;
  if (settings.fetching) body = <p className="muted">…</p>;
  else if (settings.error) body = <ErrorNotice error={settings.error} />;
  else if (!settings.data?.authSettings.signUpOpen)
    body = (
      <div className="stack">
        <p>{t('signUpClosed')}</p>
        <Link href="/sign-in">{t('backToSignIn')}</Link>
      </div>
    );
  else if (result.data?.signUp)
    body = (
      <div className="stack">
        <StatusNotice>{t('signUpSent')}</StatusNotice>
        <Link href="/sign-in">{t('signIn')}</Link>
      </div>
    );
  else
    body = (
      <AuthForm
        onSubmit={submit}
        error={result.error}
        explain={{ RATE_LIMITED: t('rateLimited') }}
        fetching={result.fetching}
        submitLabel={t('signUpSubmit')}
        actions={<Link href="/sign-in">{t('backToSignIn')}</Link>}
      >
        <EmailField label={t('email')} value={email} onValue={setEmail} />
        <NewPasswordField
          label={t('password')}
          hint={t('passwordHint')}
          value={password}
          onValue={setPassword}
        />
        <Field label={t('name')} name="name" autoComplete="name" value={name} onValue={setName} />
        <Field
          label={t('organizationName')}
          name="organizationName"
          autoComplete="organization"
          required
          value={organizationName}
          onValue={setOrganizationName}
        />
      </AuthForm>
    );

  return <AuthPage title={t('signUpTitle')}>{body}</AuthPage>;
}
