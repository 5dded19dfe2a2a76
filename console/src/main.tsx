import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { Route, Router, Switch } from 'wouter';
import { RestartClientContext, createConsoleClient } from './client';
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
  const [current, setCurrent] = useState(createConsoleClient);
  const [generation, setGeneration] = useState(0);
  useEffect(() => () => current.dispose(), [current]);
  const restart = useCallback(() => {
    setCurrent(createConsoleClient());
    setGeneration((g) => g + 1);
  }, []);
  return (
    <RestartClientContext.Provider value={restart}>
      <Provider value={current.client}>
        <ViewerProvider key={generation}>
          <App />
        </ViewerProvider>
      </Provider>
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
