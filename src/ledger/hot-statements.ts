import type { Statement } from '../db/sql.ts';

/**
 * The ledger's per-request statements, run through the driver (src/db/sql.ts) rather than Prisma's
 * client runtime: each is one round trip and one atomic statement. Timestamps arrive as ISO
 * strings; every parameter is cast so PostgreSQL never has to guess its type.
 */

const WALLET_COLUMNS = `id, "organizationId", "ownerType", "ownerId", currency, "balanceNanos", "heldNanos",
                    "creditLimitNanos", status`;

/** requestHash({ walletId, amountNanos }) (src/lib/request-hash.ts), computed in SQL for a wallet found by the statement. */
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

/**
 * Resizes an active hold by $2 (negative shrinks) and moves its expiry to $3, the wallet's held
 * amount with it. Growing needs the wallet active with the funds available; shrinking never goes
 * below zero. The hold row is locked first (lock order: hold → wallet), so a sweeper expiring it
 * concurrently either wins (nothing happens here) or waits. $1 hold id, $4 now.
 */
export const RESIZE_HOLD: Statement = {
  name: 'ledger_resize_hold',
  text: `WITH lk AS (
  SELECT id, "walletId" FROM holds
   WHERE id = $1::text AND status = 'active' AND "amountNanos" + $2::bigint >= 0
   FOR UPDATE),
w AS (
  UPDATE wallets SET "heldNanos" = wallets."heldNanos" + $2::bigint, "updatedAt" = $4::timestamp(3)
    FROM lk
   WHERE wallets.id = lk."walletId"
     AND ($2::bigint <= 0 OR (wallets.status = 'active'
          AND wallets."balanceNanos" - wallets."heldNanos" - $2::bigint >= -wallets."creditLimitNanos"))
  RETURNING wallets.id, wallets."organizationId", wallets."ownerType", wallets."ownerId", wallets.currency,
            wallets."balanceNanos", wallets."heldNanos", wallets."creditLimitNanos", wallets.status),
h AS (
  UPDATE holds SET "amountNanos" = holds."amountNanos" + $2::bigint, "expiresAt" = $3::timestamp(3)
    FROM w, lk WHERE holds.id = lk.id
  RETURNING holds."amountNanos")
SELECT w.*, h."amountNanos" AS "holdNanos" FROM w, h`,
};

/**
 * Posts $2 of usage against an active hold that stays open (a lease): the wallet's balance drops
 * by $2, the hold and the wallet's held amount by min($2, what the hold has left). Idempotent on
 * ($5 scope, $6 key) through ledger_transactions' unique index: a replay fails the whole statement
 * with a unique violation and changes nothing. $1 hold id, $3 transaction id, $4 now,
 * $7 request hash, $8 request id.
 */
export const CAPTURE_FROM_HOLD: Statement = {
  name: 'ledger_capture',
  text: `WITH lk AS (
  SELECT id, "walletId", LEAST($2::bigint, "amountNanos") AS freed FROM holds
   WHERE id = $1::text AND status = 'active'
   FOR UPDATE),
w AS (
  UPDATE wallets
     SET "balanceNanos" = wallets."balanceNanos" - $2::bigint,
         "heldNanos" = wallets."heldNanos" - lk.freed,
         "updatedAt" = $4::timestamp(3)
    FROM lk WHERE wallets.id = lk."walletId"
  RETURNING wallets.id, wallets."organizationId", wallets."ownerType", wallets."ownerId", wallets.currency,
            wallets."balanceNanos", wallets."heldNanos", wallets."creditLimitNanos", wallets.status),
h AS (
  UPDATE holds SET "amountNanos" = holds."amountNanos" - lk.freed
    FROM lk, w WHERE holds.id = lk.id
  RETURNING holds."amountNanos"),
legs AS (
  SELECT w.currency, x.account, x.amount
    FROM w, LATERAL (VALUES ('wallet:' || w.id, -$2::bigint),
                            ('system:revenue:' || w.currency, $2::bigint)) AS x(account, amount)),
t AS (
  INSERT INTO ledger_transactions (id, reason, "idempotencyScope", "idempotencyKey", "requestHash",
                                   metadata, "actorType", "requestId", "createdAt")
  SELECT $3::text, 'usage', $5::text, $6::text, $7::text,
         jsonb_build_object('holdId', $1::text, 'walletBalanceAfterNanos', w."balanceNanos"::text),
         'system', $8::text, $4::timestamp(3)
    FROM w
  RETURNING id),
e AS (
  INSERT INTO ledger_entries ("transactionId", "accountId", currency, "amountNanos", reason, "createdAt")
  SELECT t.id, legs.account, legs.currency, legs.amount, 'usage', $4::timestamp(3)
    FROM t, legs
  RETURNING 1),
a AS (
  UPDATE ledger_accounts SET "balanceNanos" = ledger_accounts."balanceNanos" + legs.amount
    FROM legs WHERE ledger_accounts.id = legs.account
  RETURNING 1)
SELECT w.*, h."amountNanos" AS "holdNanos", (SELECT count(*) FROM e) AS "entryCount",
       (SELECT count(*) FROM a) AS "accountCount"
  FROM w, h`,
};

/**
 * CAPTURE_FROM_HOLD for many requests at once (a group commit of one lease's captures): one ledger
 * transaction per request, each with its own idempotency key and the wallet balance after it, and
 * the wallet, hold and accounts updated once by the sums. The hold shrinks by at most what it holds,
 * like the single capture. No row: the hold is not active (nothing was written). A key already used
 * fails the whole statement (unique violation): the caller then captures one by one, so replays are
 * told apart from new charges.
 * $1 hold id, $2 amounts, $3 transaction ids, $4 keys, $5 request hashes, $6 request ids (arrays,
 * one element per request, in order), $7 now, $8 idempotency scope.
 */
export const CAPTURE_MANY_FROM_HOLD: Statement = {
  name: 'ledger_capture_many',
  text: `WITH req AS (
  SELECT r.amount, r.txn_id, r.idem_key, r.req_hash, r.request_id, r.ord
    FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY
         AS r(amount, txn_id, idem_key, req_hash, request_id, ord)),
tot AS (SELECT sum(amount)::bigint AS total FROM req),
lk AS (
  SELECT id, "walletId", "amountNanos" FROM holds
   WHERE id = $1::text AND status = 'active'
   FOR UPDATE),
w AS (
  UPDATE wallets
     SET "balanceNanos" = wallets."balanceNanos" - tot.total,
         "heldNanos" = wallets."heldNanos" - LEAST(tot.total, lk."amountNanos"),
         "updatedAt" = $7::timestamp(3)
    FROM lk, tot WHERE wallets.id = lk."walletId"
  RETURNING wallets.id, wallets."organizationId", wallets."ownerType", wallets."ownerId", wallets.currency,
            wallets."balanceNanos", wallets."heldNanos", wallets."creditLimitNanos", wallets.status),
h AS (
  UPDATE holds SET "amountNanos" = holds."amountNanos" - LEAST(tot.total, lk."amountNanos")
    FROM lk, tot, w WHERE holds.id = lk.id
  RETURNING holds."amountNanos"),
rows AS (
  SELECT req.*, w."balanceNanos" + tot.total - sum(req.amount) OVER (ORDER BY req.ord) AS balance_after
    FROM req, w, tot),
t AS (
  INSERT INTO ledger_transactions (id, reason, "idempotencyScope", "idempotencyKey", "requestHash",
                                   metadata, "actorType", "requestId", "createdAt")
  SELECT rows.txn_id, 'usage', $8::text, rows.idem_key, rows.req_hash,
         jsonb_build_object('holdId', $1::text, 'walletBalanceAfterNanos', rows.balance_after::text),
         'system', rows.request_id, $7::timestamp(3)
    FROM rows
  RETURNING id),
legs AS (
  SELECT rows.txn_id, x.account, x.amount
    FROM rows, w, LATERAL (VALUES ('wallet:' || w.id, -rows.amount),
                                  ('system:revenue:' || w.currency, rows.amount)) AS x(account, amount)),
e AS (
  INSERT INTO ledger_entries ("transactionId", "accountId", currency, "amountNanos", reason, "createdAt")
  SELECT t.id, legs.account, w.currency, legs.amount, 'usage', $7::timestamp(3)
    FROM legs JOIN t ON t.id = legs.txn_id, w
  RETURNING 1),
a AS (
  UPDATE ledger_accounts SET "balanceNanos" = ledger_accounts."balanceNanos" + g.amount
    FROM (SELECT account, sum(amount)::bigint AS amount FROM legs GROUP BY account) g
   WHERE ledger_accounts.id = g.account
  RETURNING 1)
SELECT w.*, h."amountNanos" AS "holdNanos", (SELECT count(*) FROM t) AS "transactionCount",
       (SELECT count(*) FROM e) AS "entryCount", (SELECT count(*) FROM a) AS "accountCount"
  FROM w, h`,
};
