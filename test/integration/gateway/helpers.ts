import OpenAI from 'openai';
import type { SharedState } from '../../../src/infra/shared-state.ts';
import { bootstrap } from '../../../src/resolvers/identity/bootstrap.ts';
import { type DataPlaneDouble, startDataPlaneDouble } from '../../../testkit/doubles/litellm-data-plane.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

export const MODEL = 'gpt-4o-mini';
export const PRICE = {
  baseNanosPerToken: 150n, // $0.15 per 1M tokens
  outputMultiplierPpm: 4_000_000n, // output ×4 = $0.60 / 1M
  cachedInputMultiplierPpm: 500_000n, // cached input ×0.5
};

/** The whole gateway (PostgreSQL, Redis) in front of the LiteLLM data-plane double. */
export interface Gateway {
  db: TestDatabase;
  upstream: DataPlaneDouble;
  t: TestApp;
  organizationId: string;
  userId: string;
  apiKey: string;
  orgWalletId: string;
  client(key?: string, opts?: { maxRetries?: number }): OpenAI;
  fund(nanos: bigint, key?: string): Promise<void>;
  /** Waits until every proxied request has been posted to the ledger (answers go out before their settle). */
  settled(): Promise<void>;
  /**
   * What the org wallet holds for single requests once everything in flight is posted: its held
   * amount less the gateways' wallet leases (docs/proxy.md), which stay reserved while in use.
   */
  requestHeld(): Promise<bigint>;
  /** The org wallet's balance once every request in flight has been posted. */
  balance(): Promise<bigint>;
  createKey(input: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startGateway(
  opts: {
    upstream?: Parameters<typeof startDataPlaneDouble>[0];
    env?: Record<string, string>;
    clock?: () => Date;
    /** Default: Redis with a fresh key prefix. Pass one to share a keyspace between gateways. */
    state?: SharedState;
    /** Default: a fresh database on the suite's PostgreSQL. Closed with the gateway. */
    db?: TestDatabase;
  } = {},
): Promise<Gateway> {
  const db = opts.db ?? (await openTestDatabase('postgres'));
  const upstream = await startDataPlaneDouble({ models: [MODEL, 'gpt-4o', 'o3'], ...opts.upstream });
  const t = await startTestApp(db, {
    state: opts.state ?? 'redis',
    env: {
      LITELLM_URL: upstream.url,
      LITELLM_MASTER_KEY: 'sk-double-master',
      LITELLM_SYNC_MODE: 'none',
      ...opts.env,
    },
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const s = t.app.services;
  const boot = await bootstrap(s, {
    org: `Org ${Math.random().toString(36).slice(2, 8)}`,
    email: `o${Date.now()}${Math.random().toString(36).slice(2, 6)}@acme.test`,
  });
  for (const model of [MODEL, 'gpt-4o', 'o3'])
    await s.pricing.createRule({
      modelPattern: model,
      currency: 'USD',
      ...PRICE,
      baseNanosPerToken: model === MODEL ? PRICE.baseNanosPerToken : 2_500n,
      effectiveFrom: new Date('2020-01-01T00:00:00Z'),
    });
  const wallet = await s.ledger.ensureWallet({
    organizationId: boot.organizationId,
    ownerType: 'organization',
    ownerId: boot.organizationId,
    currency: 'USD',
  });
  let fundN = 0;
  const g: Gateway = {
    db,
    upstream,
    t,
    organizationId: boot.organizationId,
    userId: boot.userId,
    apiKey: boot.apiKey,
    orgWalletId: wallet.id,
    client: (key = boot.apiKey, o = {}) =>
      new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: o.maxRetries ?? 0, timeout: 30_000 }),
    async fund(nanos) {
      await s.ledger.grant({
        walletId: wallet.id,
        amountNanos: nanos,
        idempotencyKey: `fund-${++fundN}`,
        description: 'test funds',
      });
    },
    settled: () => t.app.settled(),
    async requestHeld() {
      await t.app.settled();
      const w = await s.db.wallet.findUniqueOrThrow({ where: { id: wallet.id } });
      const leases = await s.db.hold.aggregate({
        where: { walletId: wallet.id, status: 'active', idempotencyKey: { startsWith: 'lease:' } },
        _sum: { amountNanos: true },
      });
      return w.heldNanos - (leases._sum.amountNanos ?? 0n);
    },
    async balance() {
      await t.app.settled();
      return (await s.db.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).balanceNanos;
    },
    async createKey(input) {
      const res = await t.gql(
        'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }',
        { input },
        { token: boot.apiKey },
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data.createApiKey.secret;
    },
    async close() {
      await t.close();
      await upstream.close();
      await db.close();
    },
  };
  return g;
}
