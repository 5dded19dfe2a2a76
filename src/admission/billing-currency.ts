import type { Db } from '../db/client.ts';
import { readBillingCurrency } from '../ledger/billing-currency.ts';
import { SingleFlight } from '../lib/single-flight.ts';

const CACHE_TTL_MS = 60_000;

/**
 * The currency an organization is billed in (`readBillingCurrency`), cached a minute per
 * organization, so admission reads it from the database once a minute at most.
 */
export class BillingCurrency {
  private readonly cache = new Map<string, { value: string; expiresAtMs: number }>();
  private readonly loads = new SingleFlight<string>();

  constructor(
    private readonly db: Db,
    private readonly defaultCurrency: string,
  ) {}

  async of(organizationId: string): Promise<string> {
    const cached = this.cache.get(organizationId);
    if (cached && cached.expiresAtMs > Date.now()) return cached.value;
    const value = await this.loads.run(organizationId, () =>
      readBillingCurrency(this.db, organizationId, this.defaultCurrency),
    );
    this.cache.set(organizationId, { value, expiresAtMs: Date.now() + CACHE_TTL_MS });
    return value;
  }
}
