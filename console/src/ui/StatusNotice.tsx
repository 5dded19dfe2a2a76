import type { ReactNode } from 'react';

/** The outcome of an action that succeeded, announced politely to assistive tech (role="status"). */
export function StatusNotice({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div role="status" className="notice notice-ok">
      {children}
    </div>
  );
}
