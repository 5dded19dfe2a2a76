import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { LOCALES, type Locale, defineMessages, useLocale, useT } from '../i18n';
import { ROUTES, navMessages } from '../routes';
import { useViewer } from '../viewer';

const messages = defineMessages({
  en: { skip: 'Skip to content', language: 'Language', main: 'Main navigation', signedInAs: 'Signed in as' },
  'zh-CN': { skip: '跳到内容', language: '语言', main: '主导航', signedInAs: '当前用户' },
});

const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

/** Navigation (only the screens the viewer may use), the organization, language and the screen itself. */
export function Shell({ children, account }: { children: ReactNode; account?: ReactNode }) {
  const { viewer } = useViewer();
  const t = useT(messages);
  const nav = useT(navMessages);
  const { locale, setLocale } = useLocale();
  const [location] = useLocation();
  const visible = ROUTES.filter((r) => r.visible(viewer));
  const link = (r: (typeof ROUTES)[number]) => (
    <li key={r.path}>
      <Link href={r.path} aria-current={location === r.path ? 'page' : undefined}>
        {nav(r.nav)}
      </Link>
    </li>
  );
  return (
    <div className="shell">
      <a href="#content" className="skip-link">
        {t('skip')}
      </a>
      <header className="topbar">
        <span className="brand">Tollgate</span>
        <span className="org">{viewer.organization?.name ?? ''}</span>
        <span className="spacer" />
        <span className="muted">
          {t('signedInAs')} {viewer.user?.email ?? viewer.kind}
        </span>
        <label className="locale">
          <span className="sr-only">{t('language')}</span>
          <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
            {LOCALES.map((l) => (
              <option key={l} value={l}>
                {LOCALE_NAMES[l]}
              </option>
            ))}
          </select>
        </label>
        {account}
      </header>
      <nav aria-label={t('main')} className="sidebar">
        <ul>{visible.filter((r) => r.section === 'customer').map(link)}</ul>
        {visible.some((r) => r.section === 'operator') && (
          <>
            <h2 className="nav-section">{nav('operator')}</h2>
            <ul>{visible.filter((r) => r.section === 'operator').map(link)}</ul>
          </>
        )}
      </nav>
      <main id="content" className="content">
        {children}
      </main>
    </div>
  );
}
