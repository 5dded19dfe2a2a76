import type { Context } from '../../context.ts';
import type { OwnerType } from '../../ledger/accounts.ts';
import type { Actor, PostingResult, WalletRow } from '../../ledger/ledger-service.ts';
import { ValidationError } from '../../lib/errors.ts';
import { decodeId } from '../../graphql/ids.ts';

const OWNER_TYPENAME = { organization: 'Organization', team: 'Team', user: 'User' } as const;

export interface WalletTarget {
  walletId?: string | null;
  wallet?: { organizationId: string; ownerType: OwnerType; ownerId: string; currency: string } | null;
}

export interface AdminPostingInput extends WalletTarget {
  amountNanos: bigint;
  reason: string;
  idempotencyKey: string;
}

/** The wallet an admin posting targets: by id, or by owner (created on first need). */
export async function resolveWalletTarget(ctx: Context, input: WalletTarget): Promise<WalletRow> {
  const ledger = ctx.services.ledger;
  if (input.walletId && input.wallet)
    throw new ValidationError('Give either walletId or wallet, not both', { param: 'walletId' });
  if (input.walletId) return ledger.getWallet(decodeId(input.walletId, 'Wallet'));
  if (input.wallet)
    return ledger.ensureWallet({
      ...input.wallet,
      organizationId: decodeId(input.wallet.organizationId, 'Organization'),
      ownerId: decodeId(input.wallet.ownerId, OWNER_TYPENAME[input.wallet.ownerType]),
    });
  throw new ValidationError('walletId or wallet is required', { param: 'walletId' });
}

function actorOf(ctx: Context): Actor {
  const p = ctx.principal;
  if (p?.kind === 'api_key') return { type: 'api_key', id: p.apiKeyId };
  // A person signed in to the console: the entry names the user, not a key.
  if (p?.kind === 'session') return { type: 'user', id: p.userId };
  return { type: 'platform_admin', id: null };
}

function checkReason(reason: string): string {
  const r = reason.trim();
  if (r.length < 3 || r.length > 500)
    throw new ValidationError('reason must be 3 to 500 characters', { param: 'reason' });
  return r;
}

/** Platform-admin credit grant (promotions → wallet), audited in the posting's transaction. */
export async function grantCredits(ctx: Context, input: AdminPostingInput): Promise<PostingResult> {
  const reason = checkReason(input.reason);
  const wallet = await resolveWalletTarget(ctx, input);
  return ctx.services.ledger.grant({
    walletId: wallet.id,
    amountNanos: input.amountNanos,
    idempotencyKey: input.idempotencyKey,
    description: reason,
    actor: actorOf(ctx),
    audit: { action: 'wallet.credits_granted', data: { reason, idempotencyKey: input.idempotencyKey } },
  });
}

/** Platform-admin signed correction (adjustments ↔ wallet), audited in the posting's transaction. */
export async function adjustWallet(ctx: Context, input: AdminPostingInput): Promise<PostingResult> {
  const reason = checkReason(input.reason);
  const wallet = await resolveWalletTarget(ctx, input);
  return ctx.services.ledger.adjust({
    walletId: wallet.id,
    amountNanos: input.amountNanos,
    idempotencyKey: input.idempotencyKey,
    description: reason,
    actor: actorOf(ctx),
    audit: { action: 'wallet.adjusted', data: { reason, idempotencyKey: input.idempotencyKey } },
  });
}
