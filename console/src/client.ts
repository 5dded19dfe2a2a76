import { createClient as createWsClient } from 'graphql-ws';
import { createContext, useContext, useEffect } from 'react';
import {
  Client,
  type CombinedError,
  cacheExchange,
  fetchExchange,
  getOperationName,
  mapExchange,
  subscriptionExchange,
} from 'urql';

/**
 * The console signs in with a session cookie (httpOnly, set by `signIn`). Cookie-authenticated requests
 * must also carry the double-submit CSRF token that the gateway puts in the readable `tollgate_csrf`
 * cookie: as the `X-Tollgate-CSRF` header over HTTP, and as a connection parameter over graphql-ws.
 */
export function csrfToken(): string {
  const m = /(?:^|;\s*)tollgate_csrf=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]!) : '';
}

/** The gateway's answers that mean "nobody is signed in" (or the session has ended). */
const SIGNED_OUT_CODES = new Set(['UNAUTHENTICATED', 'SESSION_EXPIRED', 'CSRF_TOKEN_INVALID']);

export function isSignedOutError(error: CombinedError | undefined | null): boolean {
  return !!error?.graphQLErrors.some((e) => SIGNED_OUT_CODES.has(String(e.extensions?.code)));
}

export interface ConsoleClient {
  client: Client;
  /**
   * Calls `listener` each time the WebSocket connects again after it was lost: events published in
   * between were never delivered, so live figures must be loaded again. Returns the unsubscribe.
   */
  onReconnected(listener: () => void): () => void;
  /** Closes the WebSocket (and with it every subscription). */
  dispose(): void;
}

/**
 * `onSignedOut`: a query, mutation or subscription was refused because the session ended (revoked from
 * another device, expired, signed out in another tab): the console starts over, which shows sign-in.
 * The viewer query itself is the one that finds out who is signed in, so its refusal is not reported.
 */
export function createConsoleClient(onSignedOut: () => void = () => {}): ConsoleClient {
  const reconnected = new Set<() => void>();
  let connectedBefore = false;
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const ws = createWsClient({
    url: wsUrl,
    lazy: true,
    // Read at each (re)connection: signing in or out changes the token.
    connectionParams: () => ({ 'x-tollgate-csrf': csrfToken() }),
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    on: {
      connected: () => {
        if (connectedBefore) for (const l of reconnected) l();
        connectedBefore = true;
      },
    },
  });
  const client = new Client({
    url: '/graphql',
    exchanges: [
      mapExchange({
        onError(error, operation) {
          if (getOperationName(operation.query) !== 'Viewer' && isSignedOutError(error)) onSignedOut();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink),
          }),
        }),
      }),
    ],
    fetchOptions: () => ({
      credentials: 'same-origin',
      headers: { 'x-tollgate-csrf': csrfToken() },
    }),
    // Lists refetch from the network when a screen opens; the cache only de-duplicates within one view.
    requestPolicy: 'cache-and-network',
  });
  return {
    client,
    onReconnected: (listener) => {
      reconnected.add(listener);
      return () => reconnected.delete(listener);
    },
    dispose: () => void ws.dispose(),
  };
}

/**
 * Starts over with a fresh client after the principal changed (signed in, signed out, another
 * organization selected): nothing cached for the previous one is shown, and the WebSocket reconnects,
 * so its subscriptions run as the new principal.
 */
export const RestartClientContext = createContext<() => void>(() => {});

export function useRestartClient() {
  return useContext(RestartClientContext);
}

export const ReconnectedContext = createContext<ConsoleClient['onReconnected']>(() => () => {});

/** Runs `listener` whenever the WebSocket comes back after a loss (see ConsoleClient.onReconnected). */
export function useOnReconnected(listener: () => void) {
  const on = useContext(ReconnectedContext);
  useEffect(() => on(listener), [on, listener]);
}
