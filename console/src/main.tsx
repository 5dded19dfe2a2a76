import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { Route, Router, Switch } from 'wouter';
import { createConsoleClient } from './client';
import { LocaleProvider } from './i18n';
import { Shell } from './layout/Shell';
import { ROUTES } from './routes';
import './styles.css';
import { ViewerProvider } from './viewer';

function NotFound() {
  return <p>404</p>;
}

function App() {
  return (
    <Switch>
      {ROUTES.map((r) => (
        <Route key={r.path} path={r.path} component={r.component} />
      ))}
      <Route component={NotFound} />
    </Switch>
  );
}

const client = createConsoleClient();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LocaleProvider>
      <Provider value={client}>
        <Router base="/console">
          <ViewerProvider signedOut={<p>Sign in</p>}>
            <Shell>
              <App />
            </Shell>
          </ViewerProvider>
        </Router>
      </Provider>
    </LocaleProvider>
  </StrictMode>,
);
