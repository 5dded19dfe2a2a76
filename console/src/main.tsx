import { StrictMode, useCallback, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { Route, Router, Switch } from 'wouter';
import { type ConsoleClient, ReconnectedContext, RestartClientContext, createConsoleClient } from './client';
import { LocaleProvider } from './i18n';
import { Shell } from './layout/Shell';
import { PUBLIC_ROUTES, ROUTES } from './routes';
import { RequireSignIn } from './screens/sign-in/RequireSignIn';
import './styles.css';
import { ViewerProvider } from './viewer';

function NotFound() {
  return <p>404</p>;
}

function Screens() {
  return (
    <Switch>
      {ROUTES.map((r) => (
        <Route key={r.path} path={r.path} component={r.component} />
      ))}
      <Route component={NotFound} />
    </Switch>
  );
}

/** Sign-in, sign-up, email verification and password reset need no session; every other screen does. */
function App() {
  return (
    <Switch>
      {PUBLIC_ROUTES.map((r) => (
        <Route key={r.path} path={r.path} component={r.component} />
      ))}
      <Route>
        <RequireSignIn>
          <Shell>
            <Screens />
          </Shell>
        </RequireSignIn>
      </Route>
    </Switch>
  );
}

/** One GraphQL client per principal: signing in or out, or switching organization, starts a new one. */
function ClientRoot() {
  const [generation, setGeneration] = useState(0);
  const current = useRef<ConsoleClient | null>(null);
  const restart = useCallback(() => {
    current.current?.dispose();
    current.current = null;
    setGeneration((g) => g + 1);
  }, []);
  if (!current.current) {
    // A session that ends under an open screen starts over once, whatever number of operations notice it.
    let ended = false;
    current.current = createConsoleClient(() => {
      if (ended) return;
      ended = true;
      // Not inside urql's delivery of the result (possibly during a render): after it.
      queueMicrotask(restart);
    });
  }
  return (
    <RestartClientContext.Provider value={restart}>
      <ReconnectedContext.Provider value={current.current.onReconnected}>
        <Provider value={current.current.client}>
          <ViewerProvider key={generation}>
            <App />
          </ViewerProvider>
        </Provider>
      </ReconnectedContext.Provider>
    </RestartClientContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LocaleProvider>
      <Router base="/console">
        <ClientRoot />
      </Router>
    </LocaleProvider>
  </StrictMode>,
);
