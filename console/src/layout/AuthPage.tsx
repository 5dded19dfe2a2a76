import type { ReactNode } from 'react';
import { LocaleSelect } from './LocaleSelect';

/** The frame of the screens used before signing in: the brand, the language and one small form. */
export function AuthPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="auth-shell">
      <header className="auth-top">
        <span className="brand">Tollgate</span>
        <LocaleSelect />
      </header>
      <main className="auth-page">
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}
