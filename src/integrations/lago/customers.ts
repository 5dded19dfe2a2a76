import type { Db } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/unique-violation.ts';
import { uuidv7 } from '../../lib/ids.ts';
import { LagoApiError, lagoCall } from './client.ts';
import type { LagoContext } from './context.ts';
import {
  type BillingOwner,
  LAGO_SYSTEM,
  LAGO_WALLET_CODE,
  customerExternalId,
  planCodeFor,
  subscriptionExternalId,
} from './mapping.ts';

export interface LagoCustomerRef {
  externalCustomerId: string;
  externalSubscriptionId: string;
  /** Lago wallet `lago_id`. */
  walletId: string;
  currency: string;
}

export interface LagoCustomerProfile extends BillingOwner {
  name?: string | null;
  email?: string | null;
}

/** The stored mapping of a billing owner + currency, if it was fully set up in Lago. */
export async function findLagoCustomer(db: Db, owner: BillingOwner): Promise<LagoCustomerRef | undefined> {
  const m = await db.externalMapping.findUnique({
    where: {
      system_entityType_entityId_scope: {
        system: LAGO_SYSTEM,
        entityType: owner.ownerType,
        entityId: owner.ownerId,
        scope: owner.currency.toUpperCase(),
      },
    },
  });
  if (m?.syncState !== 'synced') return undefined;
  const data = m.data as { externalSubscriptionId?: string; walletId?: string };
  if (!data.externalSubscriptionId || !data.walletId) return undefined;
  return {
    externalCustomerId: m.externalId,
    externalSubscriptionId: data.externalSubscriptionId,
    walletId: data.walletId,
    currency: owner.currency.toUpperCase(),
  };
}

/** Set-ups running in this process, per database (tests run several apps in one process). */
const inflightByDb = new WeakMap<object, Map<string, Promise<LagoCustomerRef>>>();

/**
 * Makes sure the Lago customer for (owner, currency) exists with its subscription and prepaid
 * wallet, and records the mapping. Every step is idempotent in Lago (customer upsert on
 * external_id, subscription on external_id, wallet on code), so a retry after a partial failure
 * simply runs the steps again. Concurrent calls in one process share one run.
 */
export async function ensureLagoCustomer(
  ctx: LagoContext,
  profile: LagoCustomerProfile,
  opts: { refresh?: boolean } = {},
): Promise<LagoCustomerRef> {
  if (!opts.refresh) {
    const known = await findLagoCustomer(ctx.db, profile);
    if (known) return known;
  }
  const key = customerExternalId(profile);
  let inflight = inflightByDb.get(ctx.db);
  if (!inflight) {
    inflight = new Map();
    inflightByDb.set(ctx.db, inflight);
  }
  const running = inflight.get(key);
  if (running) return running;
  const map = inflight;
  const run = setUp(ctx, profile).finally(() => map.delete(key));
  inflight.set(key, run);
  return run;
}

async function setUp(ctx: LagoContext, profile: LagoCustomerProfile): Promise<LagoCustomerRef> {
  const currency = profile.currency.toUpperCase();
  const externalId = customerExternalId(profile);
  const customer = await lagoCall('createCustomer', () =>
    ctx.api.customers.createCustomer({
      customer: {
        external_id: externalId,
        currency: currency as any,
        ...(profile.name ? { name: profile.name } : {}),
        ...(profile.email ? { email: profile.email } : {}),
        metadata: [
          { key: 'tollgate_owner_type', value: profile.ownerType, display_in_invoice: false },
          { key: 'tollgate_owner_id', value: profile.ownerId, display_in_invoice: false },
        ],
      } as any,
    }),
  );
  const externalSubscriptionId = subscriptionExternalId(externalId);
  await lagoCall('createSubscription', () =>
    ctx.api.subscriptions.createSubscription({
      subscription: {
        external_customer_id: externalId,
        plan_code: planCodeFor(ctx.config.LAGO_PLAN_CODE, currency),
        external_id: externalSubscriptionId,
        billing_time: 'calendar',
      },
    } as any),
  );
  const walletId = await ensureWallet(ctx, externalId, currency);
  const data = {
    lagoCustomerId: customer.customer.lago_id,
    externalSubscriptionId,
    walletId,
    walletCode: LAGO_WALLET_CODE,
  };
  const where = {
    system_entityType_entityId_scope: {
      system: LAGO_SYSTEM,
      entityType: profile.ownerType,
      entityId: profile.ownerId,
      scope: currency,
    },
  };
  const now = ctx.clock();
  try {
    await ctx.db.externalMapping.upsert({
      where,
      create: {
        id: uuidv7(),
        system: LAGO_SYSTEM,
        entityType: profile.ownerType,
        entityId: profile.ownerId,
        scope: currency,
        externalId,
        syncState: 'synced',
        data,
        syncedAt: now,
      },
      update: { externalId, syncState: 'synced', syncError: null, data, syncedAt: now },
    });
  } catch (err) {
    // Another process inserted the same mapping first; its content is the same.
    if (!isUniqueViolation(err)) throw err;
  }
  return { externalCustomerId: externalId, externalSubscriptionId, walletId, currency };
}

async function ensureWallet(ctx: LagoContext, externalCustomerId: string, currency: string): Promise<string> {
  const find = async () => {
    const list = await lagoCall('findAllWallets', () =>
      ctx.api.wallets.findAllWallets({ external_customer_id: externalCustomerId, per_page: 100 } as any),
    );
    return list.wallets.find((w: any) => w.code === LAGO_WALLET_CODE && w.status === 'active');
  };
  const existing = await find();
  if (existing) return existing.lago_id;
  try {
    const created = await lagoCall('createWallet', () =>
      ctx.api.wallets.createWallet({
        wallet: {
          external_customer_id: externalCustomerId,
          rate_amount: '1',
          currency: currency as any,
          name: 'Tollgate prepaid',
          code: LAGO_WALLET_CODE,
        },
      } as any),
    );
    return created.wallet.lago_id;
  } catch (err) {
    // An earlier attempt created it but its answer was lost.
    if (err instanceof LagoApiError && err.hasDetail('code', 'value_already_exist')) {
      const again = await find();
      if (again) return again.lago_id;
    }
    throw err;
  }
}
