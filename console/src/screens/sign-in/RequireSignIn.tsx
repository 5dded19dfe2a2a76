import type { ReactNode } from 'react';
import { Redirect, useLocation, useSearch } from 'wouter';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { useViewerState } from '../../viewer';

/** Where to come back to after signing in: a path of the console only (never another origin). */
export function safeNext(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  return next;
}

/**
 * The screens behind sign-in: signed out (no session, or it ended) → the sign-in screen, which comes back
 * here afterwards (`?next=`).
 */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const { viewer, fetching, error } = useViewerState();
  const [location] = useLocation();
  const search = useSearch();
  if (fetching) return <p className="muted">…</p>;
  if (error) return <ErrorNotice error={error} />;
  if (!viewer) {
    const here = `${location}${search ? `?${search}` : ''}`;
    return <Redirect to={here === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`} replace />;
  }
  return <>{children}</>;
}
