import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemorySharedState } from '../../../src/infra/memory-shared-state.ts';
import { newId } from '../../../src/lib/ids.ts';
import { PricingService } from '../../../src/pricing/price-rules.ts';
import { type TestDatabase, backends, openTestDatabase } from '../../helpers/db.ts';

const T0 = new Date('2026-03-01T00:00:00Z');

describe.each(backends())('price rules (%s)', (backend) => {
  let db: TestDatabase;
  const now = T0;
  let pricing: PricingService;
  const state = new MemorySharedState();
  beforeAll(async () => {
    db = await openTestDatabase(backend);
    pricing = new PricingService({ db: db.prisma, state, clock: () => now, cacheTtlMs: 60_000 });
  });
  afterAll(async () => {
    await db?.close();
  });

  const usd = (model: string) => pricing.priceFor({ model, currency: 'USD', at: now });

  it('prefers a plan rule over global ones, then higher precedence, then exact over glob, then the longer glob', async () => {
    const plan = await db.prisma.plan.create({
      data: { id: newId('plan'), code: 'discount', name: 'Discount', kind: 'usage' },
    });
    const from = new Date(T0.getTime() - 1000);
    const rule = (modelPattern: string, base: bigint, extra: object = {}) =>
      pricing.createRule({
        modelPattern,
        currency: 'USD',
        baseNanosPerToken: base,
        effectiveFrom: from,
        ...extra,
      });
    await rule('*', 1000n);
    await rule('gpt-*', 900n);
    await rule('gpt-4o*', 800n);
    await rule('gpt-4o-mini', 150n);
    await rule('gpt-4o*', 700n, { precedence: 10 });
    await rule('gpt-4o-mini', 100n, { planId: plan.id });

    expect((await usd('mistral-large'))?.baseNanosPerToken).toBe(1000n);
    expect((await usd('gpt-3.5-turbo'))?.baseNanosPerToken).toBe(900n);
    expect((await usd('claude-3'))?.modelPattern).toBe('*');
    // precedence 10 glob beats the exact rule at precedence 0
    expect((await usd('gpt-4o-mini'))?.baseNanosPerToken).toBe(700n);
    expect(
      (await pricing.priceFor({ model: 'gpt-4o-mini', currency: 'USD', at: now, planId: plan.id }))
        ?.baseNanosPerToken,
    ).toBe(100n);
    // the plan's rule does not price other models: they fall back to global rules
    expect(
      (await pricing.priceFor({ model: 'gpt-4o', currency: 'USD', at: now, planId: plan.id }))
        ?.baseNanosPerToken,
    ).toBe(700n);
  });

  it('refuses a currency the ledger cannot hold with UNSUPPORTED_CURRENCY and upper-cases the rest', async () => {
    const input = { modelPattern: 'currency-test', baseNanosPerToken: 1n, effectiveFrom: T0 };
    await expect(pricing.createRule({ ...input, currency: 'XXQ' })).rejects.toMatchObject({
      code: 'UNSUPPORTED_CURRENCY',
      param: 'currency',
    });
    expect((await pricing.createRule({ ...input, currency: 'eur' })).currency).toBe('EUR');
  });

  it('prefers an exact name over a glob at equal precedence', async () => {
    await pricing.createRule({
      modelPattern: 'o3*',
      currency: 'EUR',
      baseNanosPerToken: 5n,
      effectiveFrom: T0,
    });
    await pricing.createRule({
      modelPattern: 'o3-pro',
      currency: 'EUR',
      baseNanosPerToken: 9n,
      effectiveFrom: T0,
    });
    const at = T0;
    expect((await pricing.priceFor({ model: 'o3-pro', currency: 'EUR', at }))?.baseNanosPerToken).toBe(9n);
    expect((await pricing.priceFor({ model: 'o3-mini', currency: 'EUR', at }))?.baseNanosPerToken).toBe(5n);
    expect(await pricing.priceFor({ model: 'o3-pro', currency: 'GBP', at })).toBeNull();
  });

  it('applies a price change only to requests at or after its instant', async () => {
    const rule = await pricing.createRule({
      modelPattern: 'claude-sonnet',
      currency: 'GBP',
      baseNanosPerToken: 3000n,
      effectiveFrom: T0,
    });
    const change = new Date('2026-03-05T12:00:00Z');
    const next = await pricing.schedulePriceChange(rule.id, {
      effectiveFrom: change,
      baseNanosPerToken: 2500n,
    });
    const at = (iso: string) =>
      pricing.priceFor({ model: 'claude-sonnet', currency: 'GBP', at: new Date(iso) });
    expect((await at('2026-03-05T11:59:59.999Z'))?.ruleId).toBe(rule.id);
    expect((await at('2026-03-05T11:59:59.999Z'))?.baseNanosPerToken).toBe(3000n);
    expect((await at('2026-03-05T12:00:00.000Z'))?.ruleId).toBe(next.id);
    expect((await at('2026-03-05T12:00:00.000Z'))?.baseNanosPerToken).toBe(2500n);
    expect(await at('2026-02-28T23:59:59Z')).toBeNull();
  });

  it('refuses to change the prices of a rule already in effect', async () => {
    const rule = await pricing.createRule({
      modelPattern: 'gemini-pro',
      currency: 'USD',
      baseNanosPerToken: 10n,
      effectiveFrom: T0,
    });
    await expect(pricing.updateRule(rule.id, { baseNanosPerToken: 1n })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      param: 'baseNanosPerToken',
    });
    const ended = await pricing.updateRule(rule.id, { effectiveTo: new Date(T0.getTime() + 3_600_000) });
    expect(ended.effectiveTo?.toISOString()).toBe('2026-03-01T01:00:00.000Z');
    await expect(pricing.deleteRule(rule.id)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('rejects negative prices, unknown currencies and overlapping equal-precedence rules', async () => {
    const base = { modelPattern: 'llama-3', currency: 'USD', baseNanosPerToken: 10n, effectiveFrom: T0 };
    await expect(pricing.createRule({ ...base, baseNanosPerToken: -1n })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      param: 'baseNanosPerToken',
    });
    await expect(pricing.createRule({ ...base, outputMultiplierPpm: -5n })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      param: 'outputMultiplierPpm',
    });
    await expect(pricing.createRule({ ...base, currency: 'ABC' })).rejects.toMatchObject({
      code: 'UNSUPPORTED_CURRENCY',
      param: 'currency',
    });
    await pricing.createRule({ ...base, effectiveTo: new Date('2026-04-01T00:00:00Z') });
    const overlap = pricing.createRule({ ...base, effectiveFrom: new Date('2026-03-31T00:00:00Z') });
    await expect(overlap).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(overlap).rejects.toThrow(/overlapping window/);
    // adjacent windows, another precedence or another currency are fine
    await pricing.createRule({ ...base, effectiveFrom: new Date('2026-04-01T00:00:00Z') });
    await pricing.createRule({ ...base, precedence: 1 });
    await pricing.createRule({ ...base, currency: 'CNY' });
  });

  it('lets only one of two concurrent overlapping rules in', async () => {
    const base = { modelPattern: 'race-model', currency: 'USD', baseNanosPerToken: 1n, effectiveFrom: T0 };
    const results = await Promise.allSettled([pricing.createRule(base), pricing.createRule(base)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('throws MODEL_NOT_PRICED for a model without a rule', async () => {
    await expect(pricing.requirePrice({ model: 'unpriced', currency: 'JPY', at: now })).rejects.toMatchObject(
      { code: 'MODEL_NOT_PRICED', status: 400, type: 'invalid_request_error' },
    );
  });

  it('invalidates the cache of another process when a rule is written', async () => {
    const other = new PricingService({ db: db.prisma, state, clock: () => now, cacheTtlMs: 60_000 });
    expect(await other.priceFor({ model: 'fresh-model', currency: 'CHF', at: now })).toBeNull();
    await pricing.createRule({
      modelPattern: 'fresh-model',
      currency: 'CHF',
      baseNanosPerToken: 42n,
      effectiveFrom: T0,
    });
    await vi.waitFor(async () =>
      expect(
        (await other.priceFor({ model: 'fresh-model', currency: 'CHF', at: now }))?.baseNanosPerToken,
      ).toBe(42n),
    );
  });
});
