import { type ReactNode, createContext, useContext } from 'react';
import { type CombinedError, useQuery } from 'urql';
import { isSignedOutError } from './client';
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
      sessionId
      isPlatformAdmin
      totpEnabled
      user { id email name }
      organization { id name }
      organizations { role organization { id name } }
    }
  }
`);

export type Viewer = ViewerQuery['viewer'];

interface ViewerState {
  /** null: not signed in (or not known yet: see `fetching`). */
  viewer: Viewer | null;
  fetching: boolean;
  /** An error other than "signed out" (the gateway is unreachable, …). */
  error: CombinedError | null;
  refetch: () => void;
}

const ViewerContext = createContext<ViewerState | null>(null);

/**
 * Loads the viewer once per client (the client is replaced when the principal changes, see client.ts).
 * Everything a screen may do is decided by the gateway; the console only hides what it cannot do.
 */
export function ViewerProvider({ children }: { children: ReactNode }) {
  const [{ data, error, fetching }, refetch] = useQuery({
    query: ViewerDocument,
    requestPolicy: 'network-only',
  });
  const signedOut = isSignedOutError(error);
  const value: ViewerState = {
    viewer: signedOut ? null : (data?.viewer ?? null),
    fetching: fetching && !data && !error,
    error: error && !signedOut ? error : null,
    refetch: () => refetch({ requestPolicy: 'network-only' }),
  };
  return <ViewerContext.Provider value={value}>{children}</ViewerContext.Provider>;
}

/** Signed in or not: for the screens that work either way (sign-in, verify email, reset password). */
export function useViewerState(): ViewerState {
  const v = useContext(ViewerContext);
  if (!v) throw new Error('useViewerState outside ViewerProvider');
  return v;
}

/** The signed-in person; screens behind sign-in read it (RequireSignIn guarantees it is there). */
export function useViewer(): { viewer: Viewer; refetch: () => void } {
  const { viewer, refetch } = useViewerState();
  if (!viewer) throw new Error('useViewer outside RequireSignIn');
  return { viewer, refetch };
}
