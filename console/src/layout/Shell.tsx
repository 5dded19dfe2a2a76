import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { defineMessages, useT } from '../i18n';
import { ROUTES, navMessages } from '../routes';
import { useViewer } from '../viewer';
import { LocaleSelect } from './LocaleSelect';
import { OrganizationSwitcher, SignOutButton } from './SessionControls';

const messages = defineMessages({
  en: { skip: 'Skip to content', main: 'Main navigation', signedInAs: 'Signed in as' },
  'zh-CN': { skip: '跳到内容', main: '主导航', signedInAs: '当前用户' },
});

/** Navigation (only the screens the viewer may use), the organization, language, account and sign-out. */
export function Shell({ children }: { children: ReactNode }) {
  const { viewer } = useViewer();
  const t = useT(messages);
  const nav = useT(navMessages);
  const [location] = useLocation();
  const visible = ROUTES.filter((r) => r.visible(viewer));
  const link = (r: (typeof ROUTES)[number]) => (
    <li key={r.path}>
      <Link href={r.path} aria-current={location === r.path ? 'page' : undefined}>
        {nav(r.nav)}
      </Link>
    </li>
  );
  const several = viewer.kind === 'session' && viewer.organizations.length > 1;
  return (
    <div className="shell">
      <a href="#content" className="skip-link">
        {t('skip')}
      </a>
      <header className="topbar">
        <span className="brand">Tollgate</span>
        {several ? <OrganizationSwitcher /> : <span className="org">{viewer.organization?.name ?? ''}</span>}
        <span className="spacer" />
        <span className="muted">
          {t('signedInAs')} {viewer.user?.email ?? viewer.kind}
        </span>
        <LocaleSelect />
        <SignOutButton />
      </header>
      <nav aria-label={t('main')} className="sidebar">
        <ul>{visible.filter((r) => r.section === 'customer').map(link)}</ul>
        {visible.some((r) => r.section === 'operator') && (
          <>
            <h2 className="nav-section">{nav('operator')}</h2>
            <ul>{visible.filter((r) => r.section === 'operator').map(link)}</ul>
          </>
        )}
        {visible.some((r) => r.section === 'account') && (
          <ul className="nav-account">{visible.filter((r) => r.section === 'account').map(link)}</ul>
        )}
      </nav>
      <main id="content" className="content">
        {children}
      </main>
    </div>
  );
}
