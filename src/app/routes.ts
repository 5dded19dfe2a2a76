import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import { readRawBody } from '../http/body.ts';
import { sendJson } from '../http/errors.ts';
import { singlePageApp } from '../http/static-files.ts';
import type { GraphQLServer } from '../graphql/yoga.ts';
import type { Router } from '../http/router.ts';
import { extractCredential, sameSecret } from '../identity/authenticate.ts';
import { lagoWebhookRoute } from '../integrations/lago/webhooks.ts';
import { UnauthenticatedError } from '../lib/errors.ts';
import { currentRequestId } from '../lib/request-context.ts';
import { registerPaymentRoutes } from '../payments/wiring.ts';
import type { ProxyHandler } from '../proxy/routes.ts';
import { checkReadiness } from '../infra/readiness.ts';
import type { Services } from '../services.ts';

/**
 * Only our own scripts run on a console page, plus Stripe.js (Stripe requires it to be loaded from
 * js.stripe.com, never bundled), its frames and its API calls (the Payment Element confirms on
 * api.stripe.com: https://docs.stripe.com/security/guide#content-security-policy); the page cannot be
 * framed (clickjacking).
 * 'unsafe-inline' styles: React's style attributes and the charts' SVG use them.
 */
const CONSOLE_HTML_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self' https://js.stripe.com",
    'frame-src https://js.stripe.com https://hooks.stripe.com',
    "connect-src 'self' https://api.stripe.com",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

/** Every HTTP route of the process (docs/architecture.md has the table). */
export function registerRoutes(
  router: Router,
  deps: {
    config: Config;
    services: Services;
    graphql: GraphQLServer;
    proxy: ProxyHandler;
  },
): void {
  const { config, services, graphql, proxy } = deps;
  router
    .on('GET', '/healthz', (_req, res) =>
      sendJson(res, 200, { status: 'ok', request_id: currentRequestId() }),
    )
    .on('GET', '/readyz', async (_req, res) => {
      const readiness = await checkReadiness(services);
      sendJson(res, readiness.ok ? 200 : 503, {
        status: readiness.ok ? 'ready' : 'not_ready',
        degraded: readiness.degraded,
        components: readiness.components,
        request_id: currentRequestId(),
      });
    })
    .on('GET', '/metrics', async (req, res) => {
      // METRICS_TOKEN: scrapers send it as a bearer token; without it /metrics is open (docs/security.md).
      const token = config.METRICS_TOKEN;
      if (token && !sameSecret(extractCredential({ authorization: req.headers.authorization }) ?? '', token))
        throw new UnauthenticatedError(
          '/metrics needs the METRICS_TOKEN bearer token',
          'INVALID_METRICS_TOKEN',
        );
      // Rendered before the head: a failure (a worker that does not answer) is then a 500, not a cut.
      const text = await services.metrics.render();
      res.writeHead(200, { 'content-type': services.metrics.registry.contentType });
      res.end(text);
    })
    .on('*', '/graphql', async (req, res) => {
      // Yoga reads a body without any limit: hold it to REQUEST_BODY_LIMIT_BYTES like every route
      // (413 PAYLOAD_TOO_LARGE). A Buffer on `req.body` is what yoga's node adapter reads instead.
      if (req.method !== 'GET' && req.method !== 'HEAD')
        (req as typeof req & { body?: Buffer }).body = await readRawBody(
          req,
          config.REQUEST_BODY_LIMIT_BYTES,
        );
      return graphql(req, res);
    });
  router.on('POST', '/webhooks/lago', lagoWebhookRoute(services, services.lago));
  // The console (console/, built by `npm start` or `npm run console:build`): docs/console.md.
  const consoleApp = singlePageApp({
    root: fileURLToPath(new URL('../../console/dist', import.meta.url)),
    htmlHeaders: CONSOLE_HTML_HEADERS,
    missingBuildHint: 'The console is not built: run `npm run console:build` (npm start does it).',
  });
  router
    .on('GET', '/console', (_req, res) => {
      res.writeHead(308, { location: '/console/' });
      res.end();
    })
    .on('GET', '/console/*', consoleApp)
    .on('HEAD', '/console/*', consoleApp);
  registerPaymentRoutes(router, services);
  // The OpenAI-compatible proxy (/v1/*): docs/proxy.md.
  for (const route of proxy.routes) router.on(route.method, route.pattern, route.handler);
}
