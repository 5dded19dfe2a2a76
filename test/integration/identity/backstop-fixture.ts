import { createHash, randomBytes } from 'node:crypto';
import { decryptSecret } from '../../../src/identity/crypto.ts';
import { bootstrap } from '../../../src/identity/bootstrap.ts';
import { LiteLLMAdminDouble } from '../../doubles/litellm-admin/index.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';

export const MODEL = 'gpt-4o-mini';
/** 1,000 nanos per token in and out: the LiteLLM double's price (1e-6 USD), so both sides agree. */
export const NANOS_PER_TOKEN = 1_000n;
/** Prompt tokens the double reports for every request. */
export const PROMPT_TOKENS = 10n;
export const costNanos = (maxTokens: number) => (PROMPT_TOKENS + BigInt(maxTokens)) * NANOS_PER_TOKEN;

export interface Answer {
  status: number;
  body: any;
}

/**
 * The gateway in front of the enforcing LiteLLM double (admin API and data plane in one, as in
 * LiteLLM), with key sync on, an organization, its owner's bootstrap key mirrored, and a price
 * equal to the double's so that both sides count the same cost per request.
 */
export interface Tenant {
  organizationId: string;
  userId: string;
  /** The owner's Tollgate key and its LiteLLM secret. */
  tollgateKey: string;
  litellmSecret: string;
  /** The organization's USD wallet (created empty), which pays for the owner's key. */
  orgWalletId: string;
}

export interface Backstop extends Tenant {
  litellm: LiteLLMAdminDouble;
  db: TestDatabase;
  t: TestApp;
  /** Another organization with its owner's key mirrored. */
  newTenant(): Promise<Tenant>;
  drain(): Promise<number>;
  /** Secret of a mirrored key, by its Tollgate secret's row. */
  secretOf(apiKeyId: string): Promise<string>;
  /** A chat request straight to LiteLLM, bypassing Tollgate. */
  direct(secret: string, maxTokens: number): Promise<Answer>;
  /** A chat request through Tollgate's proxy (posted to the ledger before it returns). */
  viaTollgate(key: string, maxTokens: number): Promise<Answer>;
  /** LiteLLM's room left for a mirrored key: max_budget − spend (Infinity without a budget). */
  roomUsd(secret: string): number;
  close(): Promise<void>;
}

export const ENCRYPTION_KEY = randomBytes(32).toString('base64');

export async function startBackstop(
  opts: { env?: Record<string, string>; clock?: () => Date } = {},
): Promise<Backstop> {
  const litellm = await new LiteLLMAdminDouble().start();
  const db = await openTestDatabase('postgres');
  const t = await startTestApp(db, {
    env: {
      LITELLM_URL: litellm.url,
      LITELLM_MASTER_KEY: litellm.masterKey,
      TOLLGATE_ENCRYPTION_KEY: ENCRYPTION_KEY,
      LITELLM_BUDGET_SYNC_INTERVAL_MS: '0',
      LITELLM_BUDGET_PUSH_COALESCE_MS: '0',
      OUTBOX_BACKOFF_BASE_MS: '1',
      OUTBOX_BACKOFF_MAX_MS: '1',
      ...opts.env,
    },
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const s = t.app.services;
  await s.pricing.createRule({
    modelPattern: MODEL,
    currency: 'USD',
    baseNanosPerToken: NANOS_PER_TOKEN,
    outputMultiplierPpm: 1_000_000n,
    cachedInputMultiplierPpm: 1_000_000n,
    effectiveFrom: new Date('2020-01-01T00:00:00Z'),
  });
  const drain = () => s.outbox.drain(100);
  /** The key's LiteLLM secret once it is mirrored (the app's own outbox worker may be the one delivering). */
  const secretOf = async (apiKeyId: string) => {
    for (let attempt = 0; ; attempt++) {
      await drain();
      const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKeyId } });
      if (row.syncState === 'synced') return decryptSecret(row.litellmSecretEncrypted!, ENCRYPTION_KEY);
      if (attempt > 500) throw new Error(`key ${apiKeyId} is ${row.syncState}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const newTenant = async (): Promise<Tenant> => {
    const boot = await bootstrap(s, {
      org: `Org ${randomBytes(3).toString('hex')}`,
      email: `o${randomBytes(4).toString('hex')}@acme.test`,
    });
    await drain();
    const bootKey = await db.prisma.apiKey.findFirstOrThrow({
      where: { organizationId: boot.organizationId },
    });
    const wallet = await s.ledger.ensureWallet({
      organizationId: boot.organizationId,
      ownerType: 'organization',
      ownerId: boot.organizationId,
      currency: 'USD',
    });
    return {
      organizationId: boot.organizationId,
      userId: boot.userId,
      tollgateKey: boot.apiKey,
      litellmSecret: await secretOf(bootKey.id),
      orgWalletId: wallet.id,
    };
  };
  const first = await newTenant();
  const chat = async (url: string, key: string, maxTokens: number): Promise<Answer> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: MODEL,
        max_tokens: maxTokens,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    litellm,
    db,
    t,
    ...first,
    newTenant,
    drain,
    secretOf,
    direct: (secret, maxTokens) => chat(`${litellm.url}/v1/chat/completions`, secret, maxTokens),
    async viaTollgate(key, maxTokens) {
      const answer = await chat(`${t.url}/v1/chat/completions`, key, maxTokens);
      await t.app.settled();
      return answer;
    },
    roomUsd(secret) {
      const row = litellm.keys.get(sha256hex(secret));
      if (!row) throw new Error('key not in LiteLLM');
      return row.max_budget === null ? Number.POSITIVE_INFINITY : row.max_budget - row.spend;
    },
    async close() {
      await t.close();
      await db.close();
      await litellm.close();
    },
  };
}

const sha256hex = (v: string) => createHash('sha256').update(v).digest('hex');
