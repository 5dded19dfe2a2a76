import { z } from 'zod';
import { generateApiKeySecret } from './api-keys.ts';
import {
  ALL_KEY_LIMIT_FIELDS,
  type KeyLimitField,
  type KeyLimits,
  requireWithinLimits,
} from './key-limits.ts';
import { encryptSecret, randomBase62, sha256Hex } from './crypto.ts';
import { API_SCOPES, type ApiScope, type Principal, type Role, isMember } from './principal.ts';
import { enqueueKeyDelete, enqueueKeyUpsert, type Tx } from '../integrations/litellm/outbox.ts';
import { writeAudit } from '../lib/audit.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import {
  type IdentityAdminContext,
  type IdentityAdminServices,
  canActOn,
  parse,
  requireOrgRole,
  requirePrincipal,
  roleOf,
  zName,
} from './access.ts';

type Ctx = IdentityAdminContext;

const zScopes = z
  .array(z.string())
  .min(1, 'must name at least one scope')
  .superRefine((scopes, c) => {
    for (const s of scopes)
      if (!(API_SCOPES as readonly string[]).includes(s))
        c.addIssue({ code: 'custom', message: `unknown scope '${s}' (known: ${API_SCOPES.join(', ')})` });
  })
  .transform((s) => [...new Set(s)] as ApiScope[]);

const zNanos = z.bigint().nonnegative('must not be negative');
const zLimit = z.number().int().positive('must be positive');

const KeyFields = z.object({
  name: zName,
  scopes: zScopes,
  modelAllowlist: z.array(z.string().trim().min(1)).max(500).nullish(),
  budgetNanos: zNanos.nullish(),
  budgetCurrency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
    .nullish(),
  dailyCapNanos: zNanos.nullish(),
  rpmLimit: zLimit.nullish(),
  tpmLimit: zLimit.nullish(),
  expiresAt: z.date().nullish(),
});
export type ApiKeyFieldsInput = z.input<typeof KeyFields>;

function checkMoneyFields(
  f: { budgetNanos?: bigint | null; dailyCapNanos?: bigint | null; budgetCurrency?: string | null },
  now: Date,
  expiresAt?: Date | null,
) {
  if ((f.budgetNanos != null || f.dailyCapNanos != null) && f.budgetCurrency == null)
    throw new ValidationError('budgetCurrency: required with budgetNanos or dailyCapNanos', {
      param: 'budgetCurrency',
    });
  if (expiresAt && expiresAt.getTime() <= now.getTime())
    throw new ValidationError('expiresAt: must be in the future', { param: 'expiresAt' });
}

/**
 * The limits of the caller's own key, which bound every key it creates or changes (null: the
 * admin token, or a system call, which are unbounded). Read from the database, not the principal
 * cache, so a limit just tightened applies at once.
 */
async function callerLimits(ctx: Ctx, p: Principal | null): Promise<KeyLimits | null> {
  if (p?.kind !== 'api_key') return null; // a session has no key of its own: its role bounds it
  const own = await ctx.services.db.apiKey.findUnique({ where: { id: p.apiKeyId } });
  if (!own) throw new NotFoundError('API key', p.apiKeyId);
  return limitsOf(own);
}

/** A key's limits as stored, with the rotation grace period folded into when it stops working. */
function limitsOf(k: KeyLimits & { graceUntil?: Date | null }): KeyLimits {
  const ends = [k.expiresAt, k.graceUntil ?? null].filter((d): d is Date => d !== null);
  return {
    scopes: k.scopes,
    modelAllowlist: k.modelAllowlist,
    budgetNanos: k.budgetNanos,
    budgetCurrency: k.budgetCurrency,
    dailyCapNanos: k.dailyCapNanos,
    rpmLimit: k.rpmLimit,
    tpmLimit: k.tpmLimit,
    expiresAt: ends.length ? new Date(Math.min(...ends.map((d) => d.getTime()))) : null,
  };
}

/**
 * Can the caller manage keys of `userId` in `organizationId`? Oneself always; otherwise an admin
 * or owner whose rank covers the key owner's role.
 */
async function requireKeyOwnerAccess(ctx: Ctx, organizationId: string, userId: string): Promise<Role> {
  const p = requirePrincipal(ctx.principal);
  const targetRole = await roleOf(ctx.services.db, organizationId, userId);
  if (isMember(p) && !p.isPlatformAdmin && p.organizationId !== organizationId)
    throw new NotFoundError('Organization', organizationId);
  if (!targetRole) throw new NotFoundError('User', userId);
  if (isMember(p) && !p.isPlatformAdmin && p.userId !== userId) {
    const access = requireOrgRole(p, organizationId, 'admin');
    if (!canActOn(access, targetRole)) throw new ForbiddenError("An admin cannot manage an owner's keys");
  }
  return targetRole;
}

interface NewKey {
  id: string;
  secret: string;
  hash: string;
  prefix: string;
  litellm: { alias: string; hash: string; encrypted: string } | null;
}

function mintKey(services: IdentityAdminServices): NewKey {
  const id = newId('key');
  const { secret, hash, prefix } = generateApiKeySecret();
  let litellm: NewKey['litellm'] = null;
  if (services.litellm.keySync) {
    // Chosen here, stored encrypted, so a retried /key/generate sends the same secret (idempotent).
    const litellmSecret = `sk-${randomBase62(32)}`;
    litellm = {
      alias: `tollgate-${id}`,
      hash: sha256Hex(litellmSecret),
      encrypted: encryptSecret(litellmSecret, services.config.TOLLGATE_ENCRYPTION_KEY!),
    };
  }
  return { id, secret, hash, prefix, litellm };
}

export interface CreateApiKeyInput extends ApiKeyFieldsInput {
  organizationId?: string | null;
  userId?: string | null;
  teamId?: string | null;
}

/** Returns the stored key and its secret, which is never shown again. */
/** `opts.tx`: run inside the caller's transaction (bootstrap creates the organization in the same one). */
export async function createApiKey(
  ctx: Ctx,
  input: CreateApiKeyInput,
  opts: { system?: boolean; tx?: Tx } = {},
) {
  const p = opts.system ? null : requirePrincipal(ctx.principal);
  const organizationId = input.organizationId ?? (isMember(p) ? p.organizationId : null);
  const userId = input.userId ?? (isMember(p) ? p.userId : null);
  if (!organizationId) throw new ValidationError('organizationId: required', { param: 'organizationId' });
  if (!userId) throw new ValidationError('userId: required', { param: 'userId' });
  const fields = parse(KeyFields, input);
  const { services } = ctx;
  const now = services.clock();
  checkMoneyFields(fields, now, fields.expiresAt);
  // What the key may do: checked against the calling key's own limits, then stored as is.
  const limits = {
    scopes: fields.scopes,
    modelAllowlist: fields.modelAllowlist ?? [],
    budgetNanos: fields.budgetNanos ?? null,
    budgetCurrency: fields.budgetCurrency ?? null,
    dailyCapNanos: fields.dailyCapNanos ?? null,
    rpmLimit: fields.rpmLimit ?? null,
    tpmLimit: fields.tpmLimit ?? null,
    expiresAt: fields.expiresAt ?? null,
  };
  if (p) {
    await requireKeyOwnerAccess(ctx, organizationId, userId);
    const bound = await callerLimits(ctx, p);
    if (bound) requireWithinLimits(bound, limitsOf(limits), ALL_KEY_LIMIT_FIELDS);
  } else if (!(await roleOf(opts.tx ?? services.db, organizationId, userId)))
    throw new NotFoundError('User', userId);
  if (input.teamId) {
    const member = await services.db.teamMember.findFirst({
      where: { teamId: input.teamId, userId, team: { organizationId, status: 'active' } },
    });
    if (!member) throw new NotFoundError('Team', input.teamId);
  }
  const key = mintKey(services);
  const inTransaction = <T>(fn: (tx: Tx) => Promise<T>) =>
    opts.tx ? fn(opts.tx) : services.db.$transaction(fn);
  const row = await inTransaction(async (tx) => {
    const created = await tx.apiKey.create({
      data: {
        id: key.id,
        organizationId,
        userId,
        teamId: input.teamId ?? null,
        name: fields.name,
        prefix: key.prefix,
        hash: key.hash,
        ...limits,
        litellmKeyAlias: key.litellm?.alias ?? null,
        litellmKeyHash: key.litellm?.hash ?? null,
        litellmSecretEncrypted: key.litellm?.encrypted ?? null,
        syncState: key.litellm ? 'pending' : 'disabled',
      },
    });
    await enqueueKeyUpsert(tx, services.litellm, organizationId, created.id);
    await auditKey(tx, ctx, created.organizationId, 'api_key.create', created.id);
    return created;
  });
  return { apiKey: row, secret: key.secret };
}

async function auditKey(tx: Tx, ctx: Ctx, organizationId: string, action: string, id: string, data = {}) {
  const p = ctx.principal;
  await writeAudit(tx, {
    organizationId,
    actor: { type: p?.kind ?? 'system', id: isMember(p) ? p.userId : null },
    action,
    entityType: 'api_key',
    entityId: id,
    data,
  });
}

async function loadKey(ctx: Ctx, id: string) {
  const p = requirePrincipal(ctx.principal);
  const key = await ctx.services.db.apiKey.findUnique({ where: { id } });
  if (!key || (isMember(p) && !p.isPlatformAdmin && p.organizationId !== key.organizationId))
    throw new NotFoundError('API key', id);
  try {
    await requireKeyOwnerAccess(ctx, key.organizationId, key.userId);
  } catch (err) {
    // A member asking about a colleague's key learns nothing about it.
    if (err instanceof ForbiddenError && isMember(p) && p.role === 'member')
      throw new NotFoundError('API key', id);
    throw err;
  }
  return key;
}

/** The limits an update touches; moving the budget to another currency lifts it in the old one. */
function changedLimits(input: UpdateApiKeyInput): Set<KeyLimitField> {
  const changed = new Set([...ALL_KEY_LIMIT_FIELDS].filter((f) => input[f] !== undefined));
  if (input.budgetCurrency !== undefined) changed.add('budgetNanos').add('dailyCapNanos');
  return changed;
}

export type UpdateApiKeyInput = Partial<{ [K in keyof ApiKeyFieldsInput]: ApiKeyFieldsInput[K] | null }>;

/** Fields left undefined stay; fields set to null are cleared (name and scopes cannot be cleared). */
export async function updateApiKey(ctx: Ctx, id: string, input: UpdateApiKeyInput) {
  const key = await loadKey(ctx, id);
  if (key.revokedAt) throw new ForbiddenError('API key has been revoked', 'API_KEY_REVOKED');
  const fields = parse(KeyFields.partial(), {
    ...input,
    name: input.name ?? undefined,
    scopes: input.scopes ?? undefined,
  });
  const pick = <K extends keyof typeof fields>(k: K, current: unknown) =>
    input[k] === undefined ? current : (fields[k] ?? null);
  const next = {
    budgetNanos: pick('budgetNanos', key.budgetNanos) as bigint | null,
    budgetCurrency: pick('budgetCurrency', key.budgetCurrency) as string | null,
    dailyCapNanos: pick('dailyCapNanos', key.dailyCapNanos) as bigint | null,
  };
  checkMoneyFields(next, ctx.services.clock(), input.expiresAt === undefined ? null : fields.expiresAt);
  const limits = {
    scopes: fields.scopes ?? key.scopes,
    modelAllowlist: input.modelAllowlist !== undefined ? (fields.modelAllowlist ?? []) : key.modelAllowlist,
    ...next,
    rpmLimit: pick('rpmLimit', key.rpmLimit) as number | null,
    tpmLimit: pick('tpmLimit', key.tpmLimit) as number | null,
    expiresAt: pick('expiresAt', key.expiresAt) as Date | null,
  };
  const bound = await callerLimits(ctx, ctx.principal);
  if (bound) requireWithinLimits(bound, limitsOf(limits), changedLimits(input));
  const { db, litellm, apiKeys } = ctx.services;
  const updated = await db.$transaction(async (tx) => {
    const row = await tx.apiKey.update({
      where: { id },
      data: {
        ...(fields.name ? { name: fields.name } : {}),
        ...limits,
        ...(key.syncState === 'synced' || key.syncState === 'failed' ? { syncState: 'pending' } : {}),
      },
    });
    await enqueueKeyUpsert(tx, litellm, key.organizationId, id);
    await auditKey(tx, ctx, key.organizationId, 'api_key.update', id, { fields: Object.keys(input) });
    return row;
  });
  await apiKeys.invalidate([key.hash]);
  return updated;
}

export async function revokeApiKey(ctx: Ctx, id: string) {
  const key = await loadKey(ctx, id);
  const { db, litellm, apiKeys } = ctx.services;
  if (key.revokedAt) return key;
  const revoked = await db.$transaction(async (tx) => {
    const row = await tx.apiKey.update({ where: { id }, data: { revokedAt: ctx.services.clock() } });
    await enqueueKeyDelete(tx, litellm, key.organizationId, id);
    await auditKey(tx, ctx, key.organizationId, 'api_key.revoke', id);
    return row;
  });
  await apiKeys.invalidate([key.hash]);
  return revoked;
}

/**
 * Issues a new key with the same settings; the old one keeps working until `graceUntil`
 * (API_KEY_ROTATION_GRACE_SECONDS from now; 0 = stops at once). Its LiteLLM twin is deleted then.
 */
export async function rotateApiKey(ctx: Ctx, id: string) {
  const old = await loadKey(ctx, id);
  if (old.revokedAt) throw new ForbiddenError('API key has been revoked', 'API_KEY_REVOKED');
  const { services } = ctx;
  const now = services.clock();
  if (old.graceUntil && old.graceUntil <= now)
    throw new ForbiddenError('API key has expired', 'API_KEY_EXPIRED');
  const graceUntil = new Date(now.getTime() + services.config.API_KEY_ROTATION_GRACE_SECONDS * 1000);
  const key = mintKey(services);
  const result = await services.db.$transaction(async (tx) => {
    const previous = await tx.apiKey.update({
      where: { id },
      data: { graceUntil: old.graceUntil && old.graceUntil < graceUntil ? old.graceUntil : graceUntil },
    });
    const created = await tx.apiKey.create({
      data: {
        id: key.id,
        organizationId: old.organizationId,
        userId: old.userId,
        teamId: old.teamId,
        name: old.name,
        prefix: key.prefix,
        hash: key.hash,
        scopes: old.scopes,
        modelAllowlist: old.modelAllowlist,
        budgetNanos: old.budgetNanos,
        budgetCurrency: old.budgetCurrency,
        dailyCapNanos: old.dailyCapNanos,
        rpmLimit: old.rpmLimit,
        tpmLimit: old.tpmLimit,
        expiresAt: old.expiresAt,
        rotatedFromId: old.id,
        metadata: old.metadata as object,
        litellmKeyAlias: key.litellm?.alias ?? null,
        litellmKeyHash: key.litellm?.hash ?? null,
        litellmSecretEncrypted: key.litellm?.encrypted ?? null,
        syncState: key.litellm ? 'pending' : 'disabled',
      },
    });
    await enqueueKeyUpsert(tx, services.litellm, old.organizationId, created.id);
    await enqueueKeyDelete(tx, services.litellm, old.organizationId, old.id, previous.graceUntil!);
    await auditKey(tx, ctx, old.organizationId, 'api_key.rotate', old.id, { newKeyId: created.id });
    return { apiKey: created, previous };
  });
  await services.apiKeys.invalidate([old.hash]);
  return { ...result, secret: key.secret };
}
