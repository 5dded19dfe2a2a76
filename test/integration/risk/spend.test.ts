import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestCostTooHighError, SpendVelocityExceededError } from '../../../src/risk/errors.ts';
import { backends, openTestDatabase, type TestDatabase } from '../../helpers/db.ts';
import { riskHarness, seedAccount } from './harness.ts';

const USD = 1_000_000_000n;
const NOW = Date.UTC(2026, 0, 1, 12, 0, 30);

describe.each(backends())('spend risk on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => db.close());

  it('blocks the request that would pass the per-minute cap of a key, and notifies once per window', async () => {
    const h = riskHarness(db.prisma, { nowMs: NOW });
    const a = await seedAccount(db.prisma, { now: NOW });
    await h.risk.settings.put('organization', a.org.id, {
      spend: { USD: { keyPerMinuteNanos: (3n * USD).toString() } },
    });
    const input = { ...a.subject, currency: 'USD', estimatedCostNanos: USD };
    const admitted = await Promise.allSettled(Array.from({ length: 5 }, () => h.risk.spend.admit(input)));
    expect(admitted.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = admitted.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(refused).toHaveLength(2);
    expect(refused[0]!.reason).toBeInstanceOf(SpendVelocityExceededError);
    expect(refused[0]!.reason).toMatchObject({
      code: 'SPEND_VELOCITY_EXCEEDED',
      status: 429,
      retryAfterSeconds: 30,
    });

    const notes = await db.prisma.notification.findMany({ where: { organizationId: a.org.id } });
    expect(notes.map((n) => n.type)).toEqual(['spend_velocity_breach']);
    expect(notes[0]!.payload).toMatchObject({
      scope: 'api_key',
      window: 'minute',
      capNanos: (3n * USD).toString(),
      blocked: true,
    });

    // The next minute is a new window.
    h.clock.nowMs += 60_000;
    await expect(h.risk.spend.admit(input)).resolves.toBeDefined();
  });

  it('settles to the actual cost, so cheaper-than-estimated requests free room', async () => {
    const h = riskHarness(db.prisma, { nowMs: NOW });
    const a = await seedAccount(db.prisma, { now: NOW });
    await h.risk.settings.put('user', a.user.id, {
      spend: { USD: { userPerHourNanos: (2n * USD).toString() } },
    });
    const input = { ...a.subject, currency: 'USD', estimatedCostNanos: USD };
    const r1 = await h.risk.spend.admit(input);
    const r2 = await h.risk.spend.admit(input);
    await expect(h.risk.spend.admit(input)).rejects.toBeInstanceOf(SpendVelocityExceededError);
    await h.risk.spend.settle(r1, USD / 10n);
    await h.risk.spend.settle(r2, USD / 10n);
    await expect(h.risk.spend.admit(input)).resolves.toBeDefined();
  });

  it('notifies (without blocking) when the actual cost passes a cap at settle', async () => {
    const h = riskHarness(db.prisma, { nowMs: NOW });
    const a = await seedAccount(db.prisma, { now: NOW });
    await h.risk.settings.put('api_key', a.key.id, { spend: { USD: { keyPerHourNanos: USD.toString() } } });
    const r = await h.risk.spend.admit({ ...a.subject, currency: 'USD', estimatedCostNanos: USD / 2n });
    await h.risk.spend.settle(r, 2n * USD);
    const [note] = await db.prisma.notification.findMany({ where: { organizationId: a.org.id } });
    expect(note?.payload).toMatchObject({
      window: 'hour',
      spentNanos: (2n * USD).toString(),
      blocked: false,
    });
  });

  it('refuses a single request above the maximum cost per request with 403', async () => {
    const h = riskHarness(db.prisma, { nowMs: NOW });
    const a = await seedAccount(db.prisma, { now: NOW });
    await h.risk.settings.put('global', '', { spend: { EUR: { requestMaxNanos: USD.toString() } } });
    const input = { ...a.subject, currency: 'EUR', estimatedCostNanos: USD + 1n };
    await expect(h.risk.spend.admit(input)).rejects.toBeInstanceOf(RequestCostTooHighError);
    await expect(h.risk.spend.admit(input)).rejects.toMatchObject({
      code: 'REQUEST_COST_TOO_HIGH',
      status: 403,
    });
    await expect(h.risk.spend.admit({ ...input, estimatedCostNanos: USD })).resolves.toBeDefined();
    await h.risk.settings.remove('global', '');
  });

  it('applies the lower new-account caps only during the first days', async () => {
    const h = riskHarness(db.prisma, { nowMs: NOW });
    const young = await seedAccount(db.prisma, { now: NOW, ageDays: 1 });
    const old = await seedAccount(db.prisma, { now: NOW, ageDays: 30 });
    const settings = {
      spend: { USD: { keyPerMinuteNanos: (10n * USD).toString() } },
      newAccount: { days: 7, spend: { USD: { keyPerMinuteNanos: USD.toString() } } },
    };
    await h.risk.settings.put('organization', young.org.id, settings);
    await h.risk.settings.put('organization', old.org.id, settings);
    expect(await h.risk.spend.capsFor({ ...young.subject, currency: 'USD' })).toEqual({
      keyPerMinuteNanos: USD.toString(),
    });
    expect(await h.risk.spend.capsFor({ ...old.subject, currency: 'USD' })).toEqual({
      keyPerMinuteNanos: (10n * USD).toString(),
    });
    const two = { currency: 'USD', estimatedCostNanos: 2n * USD };
    await expect(h.risk.spend.admit({ ...young.subject, ...two })).rejects.toBeInstanceOf(
      SpendVelocityExceededError,
    );
    await expect(h.risk.spend.admit({ ...old.subject, ...two })).resolves.toBeDefined();
  });

  it('resolves rate limits from the key row over risk settings', async () => {
    const h = riskHarness(db.prisma, { nowMs: NOW });
    const a = await seedAccount(db.prisma, { now: NOW });
    await h.risk.settings.put('organization', a.org.id, {
      rateLimits: {
        keyRequestsPerMinute: 100,
        keyTokensPerMinute: 5000,
        organizationRequestsPerMinute: 1000,
      },
    });
    await db.prisma.apiKey.update({ where: { id: a.key.id }, data: { rpmLimit: 2 } });
    expect(await h.risk.rateLimits.limitsFor(a.subject)).toEqual({
      api_key: { requestsPerMinute: 2, tokensPerMinute: 5000 },
      user: { requestsPerMinute: null, tokensPerMinute: null },
      organization: { requestsPerMinute: 1000, tokensPerMinute: null },
    });
  });

  it('notifies rate_limit_sustained once when rejections reach the threshold', async () => {
    const h = riskHarness(db.prisma, { nowMs: NOW });
    const a = await seedAccount(db.prisma, { now: NOW });
    await h.risk.settings.put('organization', a.org.id, {
      rateLimits: { keyRequestsPerMinute: 1 },
      notifications: { rateLimitSustainedRejectionsPerMinute: 3 },
    });
    const call = () =>
      h.risk.rateLimits.checkAndReserve({ ...a.subject, estimatedTokens: 1 }).catch(() => null);
    for (let i = 0; i < 8; i++) await call();
    const notes = await db.prisma.notification.findMany({ where: { organizationId: a.org.id } });
    expect(notes.map((n) => n.type)).toEqual(['rate_limit_sustained']);
    expect(notes[0]!.payload).toMatchObject({ scope: 'api_key', subjectId: a.key.id, rejections: 3 });
  });
});
