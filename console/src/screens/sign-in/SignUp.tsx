import { type FormEvent, type ReactNode, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { useT } from '../../i18n';
import { AuthPage } from '../../layout/AuthPage';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { StatusNotice } from '../../ui/StatusNotice';
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

  async function submit(e: FormEvent) {
    e.preventDefault();
    await signUp({
      input: { email, password, organizationName, ...(name.trim() ? { name: name.trim() } : {}) },
    });
  }

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
      <form onSubmit={submit} className="stack">
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
        <label>
          {t('password')}
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
          {t('name')}
          <input name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          {t('organizationName')}
          <input
            name="organizationName"
            autoComplete="organization"
            required
            value={organizationName}
            onChange={(e) => setOrganizationName(e.target.value)}
          />
        </label>
        <ErrorNotice error={result.error} explain={{ RATE_LIMITED: t('rateLimited') }} />
        <div className="row">
          <button type="submit" disabled={result.fetching}>
            {t('signUpSubmit')}
          </button>
          <Link href="/sign-in">{t('backToSignIn')}</Link>
        </div>
      </form>
    );

  return <AuthPage title={t('signUpTitle')}>{body}</AuthPage>;
}
