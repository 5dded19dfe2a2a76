import type { Db, Tx } from '../db/client.ts';
import type { OwnerType } from '../ledger/accounts.ts';
import type { LedgerService, WalletRow } from '../ledger/ledger-service.ts';
import type { NotificationService } from '../notifications/service.ts';
import { getPaymentProvider } from '../providers/payment/registry.ts';
import type { PaymentProvider } from '../providers/payment/types.ts';
import type { TopUpProviders } from './top-up-providers.ts';
import type { PaymentRisk } from '../risk/payments.ts';

export type { OwnerType };

/** The ledger operations payments use: wallets, top-up credits, refund debits, holds and freezes. */
export type PaymentsLedger = Pick<
  LedgerService,
  | 'ensureWallet'
  | 'getWallet'
  | 'creditTopUp'
  | 'debitRefund'
  | 'reverse'
  | 'hold'
  | 'release'
  | 'freeze'
  | 'unfreeze'
>;

/** Who is billed for a wallet's money: its owner, in its currency. */
export interface BillingOwner {
  ownerType: string;
  ownerId: string;
  currency: string;
}

/**
 * Where succeeded top-ups and refunds are mirrored for invoicing (Lago), written inside the
 * transaction that marks them succeeded. Absent when no billing system is configured.
 */
export interface BillingMirror {
  enqueueTopUp(tx: Tx, input: { paymentId: string; owner: BillingOwner }): Promise<void>;
  enqueueRefund(tx: Tx, input: { refundId: string; owner: BillingOwner }): Promise<void>;
}

/** What the payments flow needs; `createPayments` (payments.ts) takes nothing else. */
export interface PaymentsDeps {
  db: Db;
  ledger: PaymentsLedger;
  providers: ReadonlyMap<string, PaymentProvider>;
  /** Which providers each currency's top-ups may use (TOP_UP_PROVIDERS); unlisted: every provider. */
  topUpProviders: TopUpProviders;
  risk: Pick<PaymentRisk, 'checkTopUpAllowed' | 'decideCredit' | 'disputeFreezeNanos'>;
  notifications: Pick<NotificationService, 'notify'>;
  clock: () => Date;
  billing: BillingMirror | null;
  /** `block`: a refund may not take the wallet below zero (default); `allow_negative`: it may. */
  refundSpentCreditPolicy: 'block' | 'allow_negative';
}

/** @throws UnknownProviderError when `id` is not enabled. */
export function providerOf(deps: Pick<PaymentsDeps, 'providers'>, id?: string): PaymentProvider {
  const chosen = id ?? [...deps.providers.keys()][0];
  return getPaymentProvider(deps.providers, chosen ?? '(none configured)');
}

export const providerIdsOf = (deps: Pick<PaymentsDeps, 'providers'>): string[] => [...deps.providers.keys()];

/** The billing owner of a wallet (Lago keeps one customer per owner and currency). */
export const billingOwner = (w: WalletRow): BillingOwner => ({
  ownerType: w.ownerType as OwnerType,
  ownerId: w.ownerId,
  currency: w.currency,
});
