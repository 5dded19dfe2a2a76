import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import type { SharedState } from './infra/shared-state.ts';
import type { OutboxWorker } from './outbox/worker.ts';
import type { Metrics } from './http/metrics.ts';
import type { PubSub } from './pubsub.ts';
import type { Principal } from './identity/principal.ts';

/**
 * The composition root's product: every shared domain service, built once per process in
 * src/app.ts. GraphQL resolvers, the proxy, webhooks and jobs all call these, so enforcement
 * logic lives in one place.
 */
export interface Services {
  config: Config;
  database: Database;
  db: Database['prisma'];
  state: SharedState;
  pubsub: PubSub;
  outbox: OutboxWorker;
  metrics: Metrics;
  clock: () => Date;
  /** Resolves a Tollgate API key secret to a principal (identity domain). */
  apiKeys?: { authenticate(secret: string): Promise<Principal> };
}
