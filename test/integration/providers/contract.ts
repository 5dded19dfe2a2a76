import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/lib/errors.ts';
import { confirmSuccess, merchantClaimMismatch } from '../../../src/payments/event-trust.ts';
import { type ProviderCapabilities, STRIPE_CAPABILITIES } from './capabilities.ts';
import type {
  CreatePaymentInput,
  CreatePaymentResult,
  NormalisedPaymentEvent,
  NormalisedPaymentEventType,
  PaymentMethodKind,
  PaymentProvider,
} from '../../../src/providers/payment/types.ts';

/** One webhook delivery as it reached our HTTP endpoint. */
export interface CapturedWebhook {
  readonly headers: Record<string, string>;
  readonly rawBody: Buffer;
}

/**
 * What the contract needs from a provider's test double, in provider-neutral terms. Each provider
 * supplies one (see stripe.contract.test.ts); the contract then holds every provider to the same rules.
 */
export interface ProviderTestHarness {
  readonly provider: PaymentProvider;
  /** A currency the provider charges in, with a valid amount and one below the minimum. */
  readonly currency: string;
  readonly validAmountMinor: bigint;
  readonly tooSmallAmountMinor: bigint;
  /** The smallest amount over the provider's maximum; 100,000,000 (Stripe's 8 digits) when absent. */
  readonly tooLargeAmountMinor?: bigint;
  /** The methods every created transaction offers; cards when absent. */
  readonly offeredMethods?: readonly PaymentMethodKind[];
  /** A transaction id in the provider's own format that it has never issued. */
  readonly unknownTxnId?: string;
  /** The same delivery without its signature; the headers dropped when absent (Stripe). */
  unsigned?(w: CapturedWebhook): CapturedWebhook;
  /** The customer completes (or fails) payment on the provider's side. */
  customerPays(created: CreatePaymentResult, outcome: 'success' | 'decline'): Promise<void>;
  /** Every webhook delivered so far, in arrival order (after in-flight deliveries finished). */
  deliveredWebhooks(): Promise<CapturedWebhook[]>;
  /** Deliver every event twice from now on. */
  setDuplicateDelivery(on: boolean): void;
  /** The same delivery re-signed: by a secret we do not know, or at a time outside the tolerance. */
  resign(w: CapturedWebhook, how: 'unknown_secret' | 'stale'): CapturedWebhook;
  /**
   * The same delivery with its event object changed (another transaction id, amount or currency) and
   * a new event id, validly signed with the endpoint's secret: what a holder of the secret, or a
   * confused provider, could send. `providerTxnId` replaces the transaction the event names.
   */
  tamper(
    w: CapturedWebhook,
    change: { providerTxnId?: string; amountMinor?: bigint; currency?: string; merchantAppId?: string },
  ): CapturedWebhook;
  /** Starts a secret rotation: returns a provider configured with [new, old] secrets. */
  startSecretRotation(): Promise<PaymentProvider>;
  /** The provider side stops signing with the old secret. */
  finishSecretRotation(): void;
  close(): Promise<void>;
}

let seq = 0;
// Underscores only: Alipay's out_trade_no allows letters, digits and `_`.
const uniq = (p: string) => `${p}_${process.pid}_${Date.now().toString(36)}_${++seq}`;

export function runPaymentProviderContract(
  name: string,
  makeHarness: () => Promise<ProviderTestHarness>,
  caps: ProviderCapabilities = STRIPE_CAPABILITIES,
): void {
  describe(`payment provider contract: ${name}`, () => {
    let h: ProviderTestHarness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await h?.close();
    });

    const input = (over: Partial<CreatePaymentInput> = {}): CreatePaymentInput => {
      const paymentId = uniq('pay');
      return {
        orderId: uniq('ord'),
        paymentId,
        amount: { amountMinor: h.validAmountMinor, currency: h.currency },
        idempotencyKey: `pi-create:${paymentId}`,
        requestId: uniq('req'),
        returnUrl: 'https://tollgate.test/pay/return',
        ...over,
      };
    };

    const normaliseAll = async (provider = h.provider) => {
      const out: NormalisedPaymentEvent[] = [];
      for (const w of await h.deliveredWebhooks())
        out.push(await provider.handleWebhook(w.headers, w.rawBody));
      return out;
    };

    const findEvent = async <T extends NormalisedPaymentEventType>(
      type: T,
      pred: (e: Extract<NormalisedPaymentEvent, { type: T }>) => boolean,
    ) => {
      const all = await normaliseAll();
      return all.filter(
        (e): e is Extract<NormalisedPaymentEvent, { type: T }> => e.type === type && pred(e as never),
      );
    };

    const paidPayment = async (amountMinor = h.validAmountMinor) => {
      const inp = input({ amount: { amountMinor, currency: h.currency } });
      const created = await h.provider.createPayment(inp);
      await h.customerPays(created, 'success');
      const [succeeded] = await findEvent('payment.succeeded', (e) => e.paymentId === inp.paymentId);
      if (!succeeded) throw new Error('no payment.succeeded webhook');
      return { inp, created, providerTxnId: succeeded.providerTxnId };
    };

    /** The raw delivery that reported this payment's success. */
    const successDelivery = async (paymentId: string) => {
      for (const w of await h.deliveredWebhooks()) {
        const e = await h.provider.handleWebhook(w.headers, w.rawBody);
        if (e.type === 'payment.succeeded' && e.paymentId === paymentId) return w;
      }
      throw new Error('no payment.succeeded webhook');
    };

    describe('createPayment', () => {
      it("creates a transaction awaiting the customer, offering the provider's methods", async () => {
        const created = await h.provider.createPayment(input());
        expect(created.providerTxnId).toMatch(/\S/);
        expect(created.status).toBe('requires_payment_method');
        expect(created.clientSecret ?? created.redirectUrl ?? created.qrCode).toBeTruthy();
        expect(created.availablePaymentMethods).toEqual(
          expect.arrayContaining([...(h.offeredMethods ?? ['card'])]),
        );
      });

      it('returns the same transaction when retried with the same idempotency key', async () => {
        const inp = input();
        const a = await h.provider.createPayment(inp);
        const b = await h.provider.createPayment(inp);
        expect(b.providerTxnId).toBe(a.providerTxnId);
      });

      it('refuses to reuse an idempotency key for a different amount', async () => {
        const inp = input();
        await h.provider.createPayment(inp);
        const other = { ...inp, amount: { amountMinor: h.validAmountMinor + 100n, currency: h.currency } };
        await expect(h.provider.createPayment(other)).rejects.toMatchObject({
          code: 'PROVIDER_IDEMPOTENCY_CONFLICT',
        });
      });

      if (caps.alipayOnRequest)
        it('offers Alipay only when asked and the currency supports it', async () => {
          const withAlipay = await h.provider.createPayment(input({ allowAlipay: true }));
          expect(withAlipay.availablePaymentMethods).toEqual(expect.arrayContaining(['card', 'alipay']));
          const without = await h.provider.createPayment(input());
          expect(without.availablePaymentMethods).not.toContain('alipay');
          const inr = await h.provider.createPayment(
            input({ allowAlipay: true, amount: { amountMinor: 10_000n, currency: 'INR' } }),
          );
          expect(inr.availablePaymentMethods).not.toContain('alipay');
        });

      it('rejects amounts below the minimum, above 8 digits, and unknown currencies before calling the provider', async () => {
        const codeOf = (p: Promise<unknown>) =>
          p.then(
            () => 'resolved',
            (e: unknown) => (e instanceof AppError ? e.code : String(e)),
          );
        expect(
          await codeOf(
            h.provider.createPayment(
              input({ amount: { amountMinor: h.tooSmallAmountMinor, currency: h.currency } }),
            ),
          ),
        ).toBe('AMOUNT_TOO_SMALL');
        expect(
          await codeOf(
            h.provider.createPayment(
              input({ amount: { amountMinor: h.tooLargeAmountMinor ?? 100_000_000n, currency: h.currency } }),
            ),
          ),
        ).toBe('AMOUNT_TOO_LARGE');
        expect(
          await codeOf(h.provider.createPayment(input({ amount: { amountMinor: 1000n, currency: 'XYZ' } }))),
        ).toBe('UNSUPPORTED_CURRENCY');
        expect(
          await codeOf(h.provider.createPayment(input({ amount: { amountMinor: 1005n, currency: 'KWD' } }))),
        ).toBe(caps.threeDecimalCurrencies ? 'INVALID_AMOUNT' : 'UNSUPPORTED_CURRENCY');
        expect(
          await codeOf(
            h.provider.createPayment(input({ amount: { amountMinor: 0n, currency: h.currency } })),
          ),
        ).toBe('AMOUNT_TOO_SMALL');
      });
    });

    describe('handleWebhook', () => {
      it('normalises a successful payment with our payment id, bigint amounts and upper-case currency', async () => {
        const { inp, providerTxnId } = await paidPayment();
        const [e] = await findEvent('payment.succeeded', (x) => x.paymentId === inp.paymentId);
        expect(e).toMatchObject({
          providerTxnId,
          paymentId: inp.paymentId,
          amountMinor: h.validAmountMinor,
          amountReceivedMinor: h.validAmountMinor,
          currency: h.currency,
        });
        expect(typeof e?.amountMinor).toBe('bigint');
        expect(e?.eventId).toMatch(/\S/);
        expect(e?.occurredAt).toBeInstanceOf(Date);
      });

      if (caps.reportsDeclines)
        it('reports a declined payment as failed but not final (the transaction can still succeed)', async () => {
          const inp = input();
          const created = await h.provider.createPayment(inp);
          await h.customerPays(created, 'decline');
          const [failed] = await findEvent('payment.failed', (x) => x.paymentId === inp.paymentId);
          expect(failed?.failureCode).toBeTruthy();
          expect((await h.provider.query(failed?.providerTxnId as string)).status).toBe(
            'requires_payment_method',
          );
          await h.customerPays(created, 'success');
          const [ok] = await findEvent('payment.succeeded', (x) => x.paymentId === inp.paymentId);
          expect(ok?.providerTxnId).toBe(failed?.providerTxnId);
        });

      it('rejects a forged body, a stale signature, an unknown secret and a missing signature with WEBHOOK_SIGNATURE_INVALID', async () => {
        await paidPayment();
        const [w] = await h.deliveredWebhooks();
        if (!w) throw new Error('no webhook delivered');
        const forged = Buffer.from(w.rawBody);
        const digit = forged.findIndex((b) => b >= 0x30 && b <= 0x39);
        forged[digit] = forged[digit] === 0x39 ? 0x38 : (forged[digit] as number) + 1;
        const attempts = [
          () => h.provider.handleWebhook(w.headers, forged),
          ...(caps.signatureAge
            ? [
                () => {
                  const s = h.resign(w, 'stale');
                  return h.provider.handleWebhook(s.headers, s.rawBody);
                },
              ]
            : []),
          () => {
            const s = h.resign(w, 'unknown_secret');
            return h.provider.handleWebhook(s.headers, s.rawBody);
          },
          () => {
            const s = h.unsigned?.(w) ?? { headers: {}, rawBody: w.rawBody };
            return h.provider.handleWebhook(s.headers, s.rawBody);
          },
        ];
        for (const attempt of attempts) {
          await expect(attempt()).rejects.toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID', status: 400 });
        }
      });

      it('delivers duplicates with the same event id, so the inbox can drop the second', async () => {
        h.setDuplicateDelivery(true);
        try {
          const { inp } = await paidPayment();
          const events = await findEvent('payment.succeeded', (x) => x.paymentId === inp.paymentId);
          const perEventId = new Map<string, number>();
          for (const e of events) perEventId.set(e.eventId, (perEventId.get(e.eventId) ?? 0) + 1);
          expect(perEventId.size).toBeGreaterThan(0);
          expect([...perEventId.values()].every((n) => n === 2)).toBe(true);
        } finally {
          h.setDuplicateDelivery(false);
        }
      });
    });

    // The payments flow (src/payments/event-trust.ts) trusts a signed event for nothing but "look
    // again": every provider must report, through `query`, the transaction and the amounts the
    // checks compare with, and must pass a tampered event's values through unchanged so they can
    // be caught.
    describe('confirming a success against the provider record', () => {
      it('confirms a genuine success for the order amount, naming the transaction the payment became', async () => {
        const { inp, created, providerTxnId } = await paidPayment();
        const w = await successDelivery(inp.paymentId);
        const event = await h.provider.handleWebhook(w.headers, w.rawBody);
        if (event.type !== 'payment.succeeded') throw new Error(event.type);
        const c = await confirmSuccess(
          h.provider,
          { providerTxnId: created.providerTxnId, ...inp.amount },
          event,
        );
        expect(c).toMatchObject({ kind: 'confirmed', providerTxnId });
      });

      it('refuses a signed success naming our payment with another transaction id (the attacker paid a cheap one)', async () => {
        const { inp, created } = await paidPayment();
        const other = await paidPayment(h.validAmountMinor + 100n);
        const w = h.tamper(await successDelivery(inp.paymentId), { providerTxnId: other.providerTxnId });
        const event = await h.provider.handleWebhook(w.headers, w.rawBody);
        expect(event).toMatchObject({ type: 'payment.succeeded', paymentId: inp.paymentId });
        const c = await confirmSuccess(
          h.provider,
          { providerTxnId: created.providerTxnId, ...inp.amount },
          event as never,
        );
        expect(c).toMatchObject({
          kind: 'mismatch',
          mismatch: { kind: 'transaction_mismatch', got: other.providerTxnId },
        });
      });

      it('refuses a signed success whose amount is 99,999,999 or whose currency is another', async () => {
        const { inp, created } = await paidPayment();
        const genuine = await successDelivery(inp.paymentId);
        const payment = { providerTxnId: created.providerTxnId, ...inp.amount };
        for (const [change, kind] of [
          [{ amountMinor: 99_999_999n }, 'amount_mismatch'],
          [{ currency: h.currency === 'JPY' ? 'USD' : 'JPY' }, 'currency_mismatch'],
          [{ amountMinor: 99_999_999n, currency: 'JPY' }, 'currency_mismatch'],
        ] as const) {
          const w = h.tamper(genuine, change);
          const event = await h.provider.handleWebhook(w.headers, w.rawBody);
          expect(event.type).toBe('payment.succeeded');
          const c = await confirmSuccess(h.provider, payment, event as never);
          expect(c).toMatchObject({ kind: 'mismatch', mismatch: { kind, source: 'event' } });
        }
      });

      if (caps.merchantAccountInEvents)
        it('refuses a signed success naming another app, while the genuine one names ours', async () => {
          const { inp, created } = await paidPayment();
          const genuine = await h.provider.handleWebhook(
            (await successDelivery(inp.paymentId)).headers,
            (await successDelivery(inp.paymentId)).rawBody,
          );
          const merchant = h.provider.merchant;
          if (!merchant || genuine.type !== 'payment.succeeded')
            throw new Error('no merchant account or success');
          expect(merchantClaimMismatch(merchant, inp.orderId, genuine)).toBeNull();
          const w = h.tamper(await successDelivery(inp.paymentId), { merchantAppId: '2021009999999999' });
          const event = await h.provider.handleWebhook(w.headers, w.rawBody);
          if (event.type !== 'payment.succeeded') throw new Error(event.type);
          expect(merchantClaimMismatch(merchant, inp.orderId, event)).toMatchObject({
            kind: 'merchant_mismatch',
            got: 'app_id 2021009999999999',
          });
          // The amount, transaction and currency alone would have confirmed it.
          const c = await confirmSuccess(
            h.provider,
            { providerTxnId: created.providerTxnId, ...inp.amount },
            event,
          );
          expect(c.kind).toBe('confirmed');
        });

      it('does not confirm an unpaid transaction even when a signed success says it is paid', async () => {
        const { inp: paidInp } = await paidPayment();
        const unpaidInp = input();
        const unpaid = await h.provider.createPayment(unpaidInp);
        const genuine = await successDelivery(paidInp.paymentId);
        const event = await h.provider.handleWebhook(genuine.headers, genuine.rawBody);
        const c = await confirmSuccess(
          h.provider,
          { providerTxnId: unpaid.providerTxnId, ...unpaidInp.amount },
          { ...(event as never as object), providerTxnId: unpaid.providerTxnId } as never,
        );
        expect(c.kind).toBe('unconfirmed');
      });
    });

    describe('refund', () => {
      it('refunds part, then the rest, then refuses more', async () => {
        const { providerTxnId } = await paidPayment(1000n);
        const part = await h.provider.refund({
          providerTxnId,
          amountMinor: 300n,
          reason: 'requested_by_customer',
          idempotencyKey: uniq('refund'),
          refundId: uniq('rf'),
        });
        expect(part).toMatchObject({ amountMinor: 300n });
        expect(['succeeded', 'pending']).toContain(part.status);

        await expect(
          h.provider.refund({
            providerTxnId,
            amountMinor: 701n,
            reason: null,
            idempotencyKey: uniq('refund'),
            refundId: uniq('rf'),
          }),
        ).rejects.toMatchObject({ code: 'REFUND_NOT_ALLOWED' });

        const rest = await h.provider.refund({
          providerTxnId,
          amountMinor: caps.refundsRemainderWithoutAmount ? null : 700n,
          reason: null,
          idempotencyKey: uniq('refund'),
          refundId: uniq('rf'),
        });
        expect(rest.amountMinor).toBe(700n);

        await expect(
          h.provider.refund({
            providerTxnId,
            amountMinor: caps.refundsRemainderWithoutAmount ? null : 1n,
            reason: null,
            idempotencyKey: uniq('refund'),
            refundId: uniq('rf'),
          }),
        ).rejects.toMatchObject({ code: 'REFUND_NOT_ALLOWED' });
      });

      it('returns the same refund when retried with the same idempotency key', async () => {
        const { providerTxnId } = await paidPayment(1000n);
        const req = {
          providerTxnId,
          amountMinor: 100n,
          reason: null,
          idempotencyKey: uniq('refund'),
          refundId: uniq('rf'),
        };
        const a = await h.provider.refund(req);
        const b = await h.provider.refund(req);
        expect(b.providerRefundId).toBe(a.providerRefundId);
      });

      if (caps.refundWebhooks)
        it('sends a refund webhook carrying the provider refund id and our refund id', async () => {
          const { providerTxnId } = await paidPayment(1000n);
          const refundId = uniq('rf');
          const r = await h.provider.refund({
            providerTxnId,
            amountMinor: 250n,
            reason: null,
            idempotencyKey: uniq('refund'),
            refundId,
          });
          const events = (await normaliseAll()).filter(
            (e) =>
              (e.type === 'refund.succeeded' || e.type === 'refund.pending') &&
              e.providerRefundId === r.providerRefundId,
          );
          expect(events[0]).toMatchObject({
            providerTxnId,
            refundId,
            amountMinor: 250n,
            currency: h.currency,
          });
        });

      it('finds a refund by its provider id or by our refund id, and answers null for one it never made', async () => {
        const { providerTxnId } = await paidPayment(1000n);
        const refundId = uniq('rf');
        const r = await h.provider.refund({
          providerTxnId,
          amountMinor: 400n,
          reason: null,
          idempotencyKey: uniq('refund'),
          refundId,
        });
        await h.provider.refund({
          providerTxnId,
          amountMinor: 100n,
          reason: null,
          idempotencyKey: uniq('refund'),
          refundId: uniq('rf'),
        });
        const byProviderId = await h.provider.findRefund({
          providerTxnId,
          providerRefundId: r.providerRefundId,
          refundId,
        });
        expect(byProviderId).toMatchObject({
          providerRefundId: r.providerRefundId,
          status: r.status,
          amountMinor: 400n,
        });
        const byOurId = await h.provider.findRefund({ providerTxnId, providerRefundId: null, refundId });
        expect(byOurId).toMatchObject({ providerRefundId: r.providerRefundId, amountMinor: 400n });
        expect(
          await h.provider.findRefund({ providerTxnId, providerRefundId: null, refundId: uniq('rf') }),
        ).toBeNull();
        expect(
          await h.provider.findRefund({
            providerTxnId,
            providerRefundId: `${r.providerRefundId}unknown`,
            refundId,
          }),
        ).toBeNull();
      });

      it('refuses to refund an unknown transaction', async () => {
        await expect(
          h.provider.refund({
            providerTxnId: h.unknownTxnId ?? 'pi_doesnotexist',
            amountMinor: caps.refundsRemainderWithoutAmount ? null : 100n,
            reason: null,
            idempotencyKey: uniq('refund'),
            refundId: uniq('rf'),
          }),
        ).rejects.toMatchObject({ code: 'PROVIDER_RESOURCE_MISSING' });
      });
    });

    describe('query', () => {
      it('reads the amounts, status and risk level of a paid transaction', async () => {
        const { providerTxnId } = await paidPayment();
        const q = await h.provider.query(providerTxnId);
        expect(q).toMatchObject({
          status: 'succeeded',
          amountMinor: h.validAmountMinor,
          amountReceivedMinor: h.validAmountMinor,
          currency: h.currency,
        });
        if (caps.riskLevel) expect(q.riskLevel).toMatch(/\S/);
      });

      if (caps.reportsDeclines)
        it('reports the last error of a declined attempt', async () => {
          const inp = input();
          const created = await h.provider.createPayment(inp);
          await h.customerPays(created, 'decline');
          const [failed] = await findEvent('payment.failed', (x) => x.paymentId === inp.paymentId);
          const q = await h.provider.query(failed?.providerTxnId as string);
          expect(q.amountReceivedMinor).toBe(0n);
          expect(q.lastError?.code).toBeTruthy();
        });

      it('throws PROVIDER_RESOURCE_MISSING for an unknown transaction', async () => {
        await expect(h.provider.query(h.unknownTxnId ?? 'pi_doesnotexist')).rejects.toMatchObject({
          code: 'PROVIDER_RESOURCE_MISSING',
        });
      });
    });

    // Last: after it, the harness's original provider no longer verifies new deliveries.
    if (caps.secretRotation)
      describe('webhook secret rotation', () => {
        it('accepts both secrets during a rotation and only the new one after it', async () => {
          const oldOnly = h.provider;
          const rotated = await h.startSecretRotation();
          await paidPayment();
          const during = (await h.deliveredWebhooks()).at(-1) as CapturedWebhook;
          expect((await oldOnly.handleWebhook(during.headers, during.rawBody)).eventId).toMatch(/\S/);
          expect((await rotated.handleWebhook(during.headers, during.rawBody)).eventId).toMatch(/\S/);
          h.finishSecretRotation();
          const created = await h.provider.createPayment(input());
          await h.customerPays(created, 'success');
          const after = (await h.deliveredWebhooks()).at(-1) as CapturedWebhook;
          expect((await rotated.handleWebhook(after.headers, after.rawBody)).eventId).toMatch(/\S/);
          await expect(oldOnly.handleWebhook(after.headers, after.rawBody)).rejects.toMatchObject({
            code: 'WEBHOOK_SIGNATURE_INVALID',
          });
        });
      });
  });
}
