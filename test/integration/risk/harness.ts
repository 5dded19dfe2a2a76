import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../../src/config.ts';
import type { Db } from '../../../src/db/client.ts';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';
import type { SharedState } from '../../../src/infra/shared-state.ts';
import { newId } from '../../../src/lib/ids.ts';
import { createNotifications } from '../../../src/notifications/wiring.ts';
import { OutboxWorker } from '../../../src/outbox/worker.ts';
import { createSharedPubSub } from '../../../src/pubsub.ts';
import { createRisk, createRiskSettings } from '../../../src/risk/wiring.ts';

export const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/** The risk and notification services over a test database, with a controllable clock. */
export function riskHarness(
  db: Db,
  opts: { env?: Record<string, string>; state?: SharedState; nowMs?: number } = {},
) {
  const clock = { nowMs: opts.nowMs ?? Date.now() };
  const config = loadConfig({
    NODE_ENV: 'test',
    TOLLGATE_ENCRYPTION_KEY: ENCRYPTION_KEY,
    RISK_SETTINGS_CACHE_TTL_MS: '0',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    ...opts.env,
  });
  const state = opts.state ?? new MemorySharedState(() => clock.nowMs);
  const outbox = new OutboxWorker(db, {
    batchSize: 20,
    pollIntervalMs: 10,
    maxAttempts: 10,
    backoffBaseMs: 1,
    backoffMaxMs: 5,
    lockTimeoutMs: 60_000,
  });
  const pubsub = createSharedPubSub(state);
  const nowMs = () => clock.nowMs;
  const settings = createRiskSettings({ config, db, state, nowMs });
  const { notifications, webhooks } = createNotifications({
    config,
    db,
    state,
    pubsub,
    outbox,
    settings,
    nowMs,
  });
  const risk = createRisk({ db, state, settings, notifier: notifications, nowMs });
  return { risk, notifications, webhooks, config, state, outbox, pubsub, clock };
}

/** An organization with one user (owner) and one API key; created `ageDays` ago. */
export async function seedAccount(db: Db, opts: { ageDays?: number; now?: number } = {}) {
  const createdAt = new Date((opts.now ?? Date.now()) - (opts.ageDays ?? 365) * 86_400_000);
  const suffix = randomBytes(4).toString('hex');
  const org = await db.organization.create({
    data: { id: newId('org'), name: `Org ${suffix}`, slug: `org-${suffix}`, createdAt },
  });
  const user = await db.user.create({
    data: { id: newId('usr'), email: `u-${suffix}@example.com`, createdAt },
  });
  await db.membership.create({
    data: { id: newId('mem'), organizationId: org.id, userId: user.id, role: 'owner' },
  });
  const key = await db.apiKey.create({
    data: {
      id: newId('key'),
      organizationId: org.id,
      userId: user.id,
      name: 'test key',
      prefix: `tg_${suffix}`,
      hash: randomBytes(32).toString('hex'),
      scopes: ['inference'],
      modelAllowlist: [],
    },
  });
  const wallet = await db.wallet.create({
    data: {
      id: newId('wal'),
      organizationId: org.id,
      ownerType: 'organization',
      ownerId: org.id,
      currency: 'USD',
    },
  });
  return { org, user, key, wallet, subject: { organizationId: org.id, userId: user.id, apiKeyId: key.id } };
}
