import type { Statement } from '../db/sql.ts';

/**
 * The ledger's per-request statements, run through the driver (src/db/sql.ts) rather than Prisma's
 * client runtime: each is one round trip and one atomic statement. Timestamps arrive as ISO
 * strings; every parameter is cast so PostgreSQL never has to guess its type.
 */

const WALLET_COLUMNS = `id, "organizationId", "ownerType", "ownerId", currency, "balanceNanos", "heldNanos",
                    "creditLimitNanos", status`;

/** requestHash({ walletId, amountNanos }) of ledger-service.ts, computed in SQL for a wallet found by the statement. */
const HOLD_HASH = `encode(sha256(convert_to('{"amountNanos":"' || $1::bigint::text || '","walletId":"' || w.id || '"}', 'UTF8')), 'hex')`;

/** The paying wallet: the user's in the currency if it exists, else the team's, else the organization's. */
const PAYER_WALLET = `(SELECT id FROM wallets
   WHERE currency = $10::text
     AND (("ownerType" = 'user' AND "ownerId" = $11::text)
       OR ("ownerType" = 'team' AND "ownerId" = $12::text)
       OR ("ownerType" = 'organization' AND "ownerId" = $3::text))
     AND "organizationId" = $3::text
   ORDER BY CASE "ownerType" WHEN 'user' THEN 0 WHEN 'team' THEN 1 ELSE 2 END
   LIMIT 1)`;

function holdStatement(name: string, target: string): Statement {
  return {
    name,
    text: `WITH w AS (
  UPDATE wallets SET "heldNanos" = "heldNanos" + $1::bigint, "updatedAt" = $2::timestamp(3)
   WHERE id = ${target} AND status = 'active'
     AND (NOT $4::boolean OR "balanceNanos" - "heldNanos" - $1::bigint >= -"creditLimitNanos")
  RETURNING ${WALLET_COLUMNS}),
h AS (
  INSERT INTO holds (id, "walletId", "amountNanos", status, "idempotencyKey", "requestHash",
                     "requestId", metadata, "expiresAt", "createdAt")
  SELECT $5::text, w.id, $1::bigint, 'active', $6::text, ${HOLD_HASH}, $7::text, $8::jsonb,
         $9::timestamp(3), $2::timestamp(3)
    FROM w
  RETURNING id)
SELECT w.*, h.id AS "holdId" FROM w, h`,
  };
}

/**
 * $1 amount, $2 now, $3 wallet id, $4 enforce available, $5 hold id, $6 idempotency key,
 * $7 request id, $8 metadata JSON, $9 expiresAt.
 */
export const HOLD = holdStatement('ledger_hold', '$3::text');

/** As HOLD, but $3 is the organization id and the wallet is chosen by PAYER_WALLET ($10 currency, $11 user, $12 team). */
export const HOLD_PAYER = holdStatement('ledger_hold_payer', PAYER_WALLET);

/**
 * Posts the real cost of a held request and closes the hold, in one statement.
 * $1 actual, $2 overshoot percent, $3 transaction id, $4 now, $5 metadata JSON, $6 hold id,
 * $7 idempotency scope, $8 request hash, $9 request id.
 */
export const SETTLE: Statement = {
  name: 'ledger_settle',
  text: `WITH h AS (
  UPDATE holds
     SET status = 'settled',
         "settledNanos" = LEAST($1::bigint, "amountNanos" + "amountNanos" * $2::bigint / 100),
         "overshootNanos" = GREATEST($1::bigint - "amountNanos", 0),
         "transactionId" = CASE WHEN $1::bigint > 0 THEN $3::text END,
         "finalizedAt" = $4::timestamp(3),
         metadata = metadata || $5::jsonb
   WHERE id = $6::text AND status = 'active'
  RETURNING "walletId", "amountNanos", "settledNanos", "overshootNanos", "transactionId"),
w AS (
  UPDATE wallets
     SET "balanceNanos" = wallets."balanceNanos" - h."settledNanos",
         "heldNanos" = wallets."heldNanos" - h."amountNanos",
         "updatedAt" = $4::timestamp(3)
    FROM h WHERE wallets.id = h."walletId"
  RETURNING wallets.id, wallets."organizationId", wallets."ownerType", wallets."ownerId", wallets.currency,
            wallets."balanceNanos", wallets."heldNanos", wallets."creditLimitNanos", wallets.status,
            h."settledNanos", h."overshootNanos", h."transactionId"),
legs AS (
  SELECT w."transactionId" AS tx, w.currency, x.account, x.amount
    FROM w, LATERAL (VALUES ('wallet:' || w.id, -w."settledNanos"),
                            ('system:revenue:' || w.currency, w."settledNanos")) AS x(account, amount)
   WHERE w."transactionId" IS NOT NULL),
t AS (
  INSERT INTO ledger_transactions (id, reason, "idempotencyScope", "idempotencyKey", "requestHash",
                                   metadata, "actorType", "requestId", "createdAt")
  SELECT w."transactionId", 'usage', $7::text, $6::text, $8::text,
         jsonb_build_object('holdId', $6::text, 'walletBalanceAfterNanos', w."balanceNanos"::text),
         'system', $9::text, $4::timestamp(3)
    FROM w WHERE w."transactionId" IS NOT NULL
  RETURNING id),
e AS (
  INSERT INTO ledger_entries ("transactionId", "accountId", currency, "amountNanos", reason, "createdAt")
  SELECT t.id, legs.account, legs.currency, legs.amount, 'usage', $4::timestamp(3)
    FROM t JOIN legs ON legs.tx = t.id
  RETURNING 1),
a AS (
  UPDATE ledger_accounts SET "balanceNanos" = ledger_accounts."balanceNanos" + legs.amount
    FROM legs WHERE ledger_accounts.id = legs.account
  RETURNING 1)
SELECT w.*, (SELECT count(*) FROM e) AS "entryCount", (SELECT count(*) FROM a) AS "accountCount" FROM w`,
};

/** Closes an active hold without posting. $1 hold id, $2 new status, $3 now, $4 reason or null. */
export const FINALIZE_HOLD: Statement = {
  name: 'ledger_release',
  text: `WITH h AS (
  UPDATE holds SET status = $2::text, "finalizedAt" = $3::timestamp(3),
         metadata = CASE WHEN $4::text IS NULL THEN metadata
                         ELSE metadata || jsonb_build_object('releaseReason', $4::text) END
   WHERE id = $1::text AND status = 'active'
  RETURNING "walletId", "amountNanos"),
w AS (
  UPDATE wallets SET "heldNanos" = wallets."heldNanos" - h."amountNanos", "updatedAt" = $3::timestamp(3)
    FROM h WHERE wallets.id = h."walletId"
  RETURNING wallets.id, wallets."organizationId", wallets."ownerType", wallets."ownerId", wallets.currency,
            wallets."balanceNanos", wallets."heldNanos", wallets."creditLimitNanos", wallets.status)
SELECT * FROM w`,
};

/** Expires the oldest due hold nobody else is sweeping. $1 now. */
export const SWEEP_ONE: Statement = {
  name: 'ledger_sweep',
  text: `WITH due AS (
  SELECT id FROM holds
   WHERE status = 'active' AND "expiresAt" <= $1::timestamp(3)
   ORDER BY "expiresAt" LIMIT 1
   FOR UPDATE SKIP LOCKED),
h AS (
  UPDATE holds SET status = 'expired', "finalizedAt" = $1::timestamp(3)
    FROM due WHERE holds.id = due.id
  RETURNING holds.id, holds."walletId", holds."amountNanos"),
w AS (
  UPDATE wallets SET "heldNanos" = wallets."heldNanos" - h."amountNanos", "updatedAt" = $1::timestamp(3)
    FROM h WHERE wallets.id = h."walletId"
  RETURNING wallets.id, wallets."organizationId", wallets."ownerType", wallets."ownerId", wallets.currency,
            wallets."balanceNanos", wallets."heldNanos", wallets."creditLimitNanos", wallets.status, h.id AS "holdId")
SELECT * FROM w`,
};
