import type { Payment } from '../generated/prisma/client.ts';
import { isUniqueViolation } from '../db/unique-violation.ts';
import { requestHash } from '../lib/request-hash.ts';
import { minorToNanos, parseCurrency } from '../lib/money.ts';
import { IdempotencyConflictError, ValidationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import type {
  PaymentPresentation,
  PaymentProvider,
  PaymentStatus as ProviderPaymentStatus,
} from '../providers/payment/types.ts';
import { clientSecretDigest, newPageSecret } from './client-secret.ts';
import { type OwnerType, type PaymentsDeps, providerIdsOf, providerOf } from './deps.ts';
import { ProviderNotOfferedError, offeredProviders } from './top-up-providers.ts';
import type { PaymentStatus } from './state-machine.ts';

export interface CreateTopUpInput {
  organizationId: string;
  /** The paying user (risk rules count per user); null for a platform admin acting for the org. */
  userId: string | null;
  owner: { ownerType: OwnerType; ownerId: string };
  currency: string;
  amountMinor: bigint;
  provider?: string | undefined;
  idempotencyKey: string;
  returnUrl?: string | undefined;
  /** How the buyer pays where the provider offers several ways (Alipay); absent: from `userAgent`. */
  presentation?: PaymentPresentation | undefined;
  /** The caller's user agent: Alipay gives phones its mobile cashier. */
  userAgent?: string | undefined;
  /** Where the gateway's pages are served (PUBLIC_BASE_URL), for `returnsToStatusPage` providers. */
  pagesBaseUrl?: string | undefined;
  requestId: string;
}

export interface TopUpResult {
  orderId: string;
  paymentId: string;
  walletId: string;
  provider: string;
  providerTxnId: string;
  status: string;
  clientSecret: string | null;
  /**
   * Opens the hosted top-up page when the provider has no client secret (Alipay): ours, shown once
   * like Stripe's, only its digest stored. Null on a replay (it cannot be read back).
   */
  pageSecret: string | null;
  redirectUrl: string | null;
  /** The content of the QR code the buyer scans (Alipay precreate), for the client to render. */
  qrCode: string | null;
  idempotencyHit: boolean;
}

export function fromProviderStatus(s: ProviderPaymentStatus): PaymentStatus {
  switch (s) {
    case 'succeeded':
      return 'succeeded';
    case 'canceled':
      return 'canceled';
    case 'processing':
    case 'requires_capture':
      return 'processing';
    case 'requires_action':
    case 'requires_confirmation':
      return 'requires_action';
    default:
      return 'created';
  }
}

/**
 * Creates an order and a provider payment for a wallet top-up. Idempotent per organization and
 * client key: a replay returns the same order and client secret; the same key with another
 * amount, currency or wallet is IDEMPOTENCY_CONFLICT. Bad input fails before anything is written.
 */
export async function createTopUp(deps: PaymentsDeps, input: CreateTopUpInput): Promise<TopUpResult> {
  const { db, ledger, risk } = deps;
  const currency = parseCurrency(input.currency);
  if (input.idempotencyKey.length === 0 || input.idempotencyKey.length > 255)
    throw new ValidationError('idempotencyKey must be 1 to 255 characters', { param: 'idempotencyKey' });
  const provider = topUpProvider(deps, currency, input.provider);
  const hash = requestHash({
    owner: input.owner,
    currency,
    amountMinor: input.amountMinor,
    provider: provider.id,
  });
  const byKey = {
    organizationId_idempotencyKey: {
      organizationId: input.organizationId,
      idempotencyKey: input.idempotencyKey,
    },
  };

  const existing = await db.order.findUnique({ where: byKey, include: { payments: true } });
  if (existing) return replayTopUp(deps, existing, hash, input.idempotencyKey);

  if (input.userId)
    await risk.checkTopUpAllowed({
      userId: input.userId,
      organizationId: input.organizationId,
      currency,
      amountMinor: input.amountMinor,
      at: deps.clock(),
    });
  const wallet = await ledger.ensureWallet({
    organizationId: input.organizationId,
    ...input.owner,
    currency,
  });

  // The provider is called before any row exists: if it rejects the amount or currency, nothing
  // is written. A crash between the call and the insert leaves an unconfirmable provider
  // transaction whose client secret nobody received; its events find no payment and are ignored.
  const orderId = newId('ord');
  const paymentId = newId('pay');
  const created = await provider.createPayment({
    orderId,
    paymentId,
    amount: { amountMinor: input.amountMinor, currency },
    idempotencyKey: `pi-create:${paymentId}`,
    requestId: input.requestId,
    returnUrl:
      input.returnUrl ??
      (provider.returnsToStatusPage && input.pagesBaseUrl
        ? `${input.pagesBaseUrl}/pay/${encodeURIComponent(paymentId)}/return`
        : undefined),
    allowAlipay: true,
    presentation: input.presentation,
    userAgent: input.userAgent,
  });
  const pageSecret = created.clientSecret ? null : newPageSecret();
  const secret = created.clientSecret ?? pageSecret;
  const status = fromProviderStatus(created.status);
  try {
    await db.$transaction(async (tx) => {
      await tx.order.create({
        data: {
          id: orderId,
          organizationId: input.organizationId,
          walletId: wallet.id,
          userId: input.userId,
          currency,
          amountMinor: input.amountMinor,
          creditNanos: minorToNanos(input.amountMinor, currency),
          provider: provider.id,
          status: 'pending',
          idempotencyKey: input.idempotencyKey,
          requestId: input.requestId,
          metadata: { requestHash: hash },
        },
      });
      await tx.payment.create({
        data: {
          id: paymentId,
          orderId,
          provider: provider.id,
          providerTxnId: created.providerTxnId,
          status,
          amountMinor: input.amountMinor,
          currency,
          metadata: {
            // Never the secret itself (client-secret.ts): a replay reads it from the provider.
            clientSecretSha256: secret ? clientSecretDigest(secret) : null,
            redirectUrl: created.redirectUrl ?? null,
            qrCode: created.qrCode ?? null,
            // Ours, not the provider's: a replay has nothing to read back.
            pageSecret: pageSecret !== null,
            paymentMethods: [...created.availablePaymentMethods],
          },
        },
      });
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const winner = await db.order.findUnique({ where: byKey, include: { payments: true } });
    if (!winner) throw err;
    return replayTopUp(deps, winner, hash, input.idempotencyKey);
  }
  return {
    orderId,
    paymentId,
    walletId: wallet.id,
    provider: provider.id,
    providerTxnId: created.providerTxnId,
    status,
    clientSecret: created.clientSecret ?? null,
    pageSecret,
    redirectUrl: created.redirectUrl ?? null,
    qrCode: created.qrCode ?? null,
    idempotencyHit: false,
  };
}

/**
 * The stored top-up for a replayed key. The client secret was never stored: it is read again from
 * the provider, for a payment that had one.
 * @throws IdempotencyConflictError; the provider's errors from `query`.
 */
async function replayTopUp(
  deps: PaymentsDeps,
  order: { id: string; walletId: string; provider: string; metadata: unknown; payments: Payment[] },
  hash: string,
  key: string,
): Promise<TopUpResult> {
  if ((order.metadata as { requestHash?: string }).requestHash !== hash)
    throw new IdempotencyConflictError('createTopUp', key);
  const payment = order.payments[0]!;
  const meta = payment.metadata as {
    clientSecretSha256?: string | null;
    redirectUrl?: string | null;
    qrCode?: string | null;
    pageSecret?: boolean;
  };
  const clientSecret =
    meta.clientSecretSha256 && !meta.pageSecret && payment.providerTxnId
      ? ((await providerOf(deps, payment.provider).query(payment.providerTxnId)).clientSecret ?? null)
      : null;
  return {
    orderId: order.id,
    paymentId: payment.id,
    walletId: order.walletId,
    provider: order.provider,
    providerTxnId: payment.providerTxnId ?? '',
    status: payment.status,
    clientSecret,
    pageSecret: null,
    redirectUrl: meta.redirectUrl ?? null,
    qrCode: meta.qrCode ?? null,
    idempotencyHit: true,
  };
}

/**
 * The provider of a top-up in `currency`: the one asked for, if enabled and offered for that
 * currency (TOP_UP_PROVIDERS), else the operator's default for it.
 * @throws UnknownProviderError, ProviderNotOfferedError
 */
export function topUpProvider(
  deps: Pick<PaymentsDeps, 'providers' | 'topUpProviders'>,
  currency: string,
  requested: string | undefined,
): PaymentProvider {
  const offered = offeredProviders(deps.topUpProviders, providerIdsOf(deps), currency);
  const provider = providerOf(deps, requested ?? offered[0]);
  if (!offered.includes(provider.id)) throw new ProviderNotOfferedError(provider.id, currency, offered);
  return provider;
}
