import { type ReactNode, createContext, useContext } from 'react';
import { useQuery } from 'urql';
import { graphql } from './gql';
import type { ViewerQuery } from './gql/graphql';

export const ViewerDocument = graphql(`
  query Viewer {
    viewer {
      kind
      isPlatformAdmin
      role
      scopes
      apiKeyId
      user { id email name }
      organization { id name }
    }
  }
`);

export type Viewer = ViewerQuery['viewer'];

const ViewerContext = createContext<{ viewer: Viewer; refetch: () => void } | null>(null);

/** The signed-in person; screens read it with `useViewer()` (inside the shell, never null). */
export function useViewer() {
  const v = useContext(ViewerContext);
  if (!v) throw new Error('useViewer outside ViewerProvider');
  return v;
}

/**
 * Loads the viewer once. Not signed in (UNAUTHENTICATED) → `signedOut`; the shell then shows the sign-in
 * screen. Everything a screen may do is decided by the gateway; the console only hides what it cannot do.
 */
export function ViewerProvider({ children, signedOut }: { children: ReactNode; signedOut: ReactNode }) {
  const [{ data, error, fetching }, refetch] = useQuery({
    query: ViewerDocument,
    requestPolicy: 'network-only',
  });
  if (fetching && !data) return <p className="muted">…</p>;
  if (error || !data) return <>{signedOut}</>;
  return (
    <ViewerContext.Provider
      value={{ viewer: data.viewer, refetch: () => refetch({ requestPolicy: 'network-only' }) }}
    >
      {children}
    </ViewerContext.Provider>
  );
}
