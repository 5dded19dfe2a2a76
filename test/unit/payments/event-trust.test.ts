import { describe, expect, it } from 'vitest';
import { confirmSuccess, isOwnTransaction } from '../../../src/payments/event-trust.ts';
import type { PaymentProvider, QueryResult } from '../../../src/providers/payment/types.ts';

/** A provider whose record of every transaction is `record` (only `query` is used by the checks). */
const providerReporting = (record: Partial<QueryResult>) => {
  const asked: string[] = [];
  const provider = {
    id: 'fake',
    async query(providerTxnId: string): Promise<QueryResult> {
      asked.push(providerTxnId);
      return {
        providerTxnId,
        status: 'succeeded',
        amountMinor: 1500n,
        amountReceivedMinor: 1500n,
        currency: 'USD',
        ...record,
      };
    },
  } as unknown as PaymentProvider;
  return { provider, asked };
};

const payment = { providerTxnId: 'pi_ours', amountMinor: 1500n, currency: 'USD' };
const claim = { providerTxnId: 'pi_ours', amountMinor: 1500n, amountReceivedMinor: 1500n, currency: 'USD' };

describe('confirming a success against the provider record', () => {
  it('confirms when the event and the provider record both match the order', async () => {
    const { provider } = providerReporting({});
    expect(await confirmSuccess(provider, payment, claim)).toMatchObject({
      kind: 'confirmed',
      providerTxnId: 'pi_ours',
    });
  });

  it('accepts the transaction the provider reports for the payment (a session that became an intent)', async () => {
    const { provider } = providerReporting({ providerTxnId: 'pi_new' });
    const session = { ...payment, providerTxnId: 'cs_ours' };
    expect(await confirmSuccess(provider, session, { ...claim, providerTxnId: 'pi_new' })).toMatchObject({
      kind: 'confirmed',
      providerTxnId: 'pi_new',
    });
    expect(await isOwnTransaction(provider, 'cs_ours', 'pi_new')).toBe(true);
    expect(await isOwnTransaction(provider, 'cs_ours', 'pi_other')).toBe(false);
  });

  it('freezes when the provider record disagrees with the order although the event agrees', async () => {
    for (const [record, kind] of [
      [{ amountReceivedMinor: 1499n }, 'amount_mismatch'],
      [{ amountReceivedMinor: 99_999_999n }, 'amount_mismatch'],
      [{ currency: 'JPY' }, 'currency_mismatch'],
    ] as const) {
      const { provider } = providerReporting(record);
      expect(await confirmSuccess(provider, payment, claim)).toMatchObject({
        kind: 'mismatch',
        mismatch: { kind, source: 'provider' },
      });
    }
  });

  it('credits nothing while the provider does not report success, and asks nothing when it read the record already', async () => {
    const { provider, asked } = providerReporting({ status: 'processing', amountReceivedMinor: 0n });
    expect((await confirmSuccess(provider, payment, claim)).kind).toBe('unconfirmed');
    const known = await provider.query('pi_ours');
    asked.length = 0;
    expect((await confirmSuccess(provider, payment, null, known)).kind).toBe('unconfirmed');
    expect(asked).toEqual([]);
  });

  it('lets a provider outage through as an error, so the event is delivered again', async () => {
    const provider = {
      async query() {
        throw Object.assign(new Error('down'), { code: 'PROVIDER_UNAVAILABLE' });
      },
    } as unknown as PaymentProvider;
    await expect(confirmSuccess(provider, payment, claim)).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
    });
  });
});
