import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { Db } from '../../db/client.ts';
import { ConflictError, ServiceUnavailableError, UnauthenticatedError } from '../../lib/errors.ts';
import { decryptSecret, encryptSecret } from '../crypto.ts';
import type { Principal } from '../principal.ts';
import { TotpCodeInvalidError } from './errors.ts';
import { requireSession } from './sessions.ts';
import type { SignInLimiter } from './sign-in-limiter.ts';

/** Authenticator apps' defaults (RFC 6238): SHA-1, 6 digits, 30-second steps; ±1 step of clock drift. */
const PERIOD_SECONDS = 30;
const WINDOW_STEPS = 1;

export interface TotpDeps {
  db: Db;
  clock: () => Date;
  /** TOLLGATE_ENCRYPTION_KEY: TOTP secrets are stored encrypted with it, so TOTP needs it. */
  encryptionKey: string | undefined;
  /** Wrong codes count as failed sign-ins of the account (a stolen session cannot guess its way). */
  signInLimiter: SignInLimiter;
}

export interface TotpEnrollment {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
}

/**
 * Checks `code` against an encrypted secret at `now` and, when it matches, records its step so the
 * same code (or an earlier one) is never accepted again. The record is one conditional update, so two
 * requests racing with one code cannot both pass.
 */
export async function acceptTotpCode(
  db: Pick<Db, 'passwordCredential'>,
  input: {
    credentialId: string;
    encrypted: string;
    code: string;
    now: Date;
    encryptionKey: string | undefined;
  },
): Promise<boolean> {
  const step = matchingStep(input.encrypted, input.code, input.now, input.encryptionKey);
  if (step === null) return false;
  const { count } = await db.passwordCredential.updateMany({
    where: {
      id: input.credentialId,
      OR: [{ totpLastUsedStep: null }, { totpLastUsedStep: { lt: step } }],
    },
    data: { totpLastUsedStep: step },
  });
  return count === 1;
}

function matchingStep(encrypted: string, rawCode: string, now: Date, key: string | undefined): number | null {
  const code = rawCode.replace(/\s/g, '');
  if (!key || !/^\d{6}$/.test(code)) return null;
  const secret = Secret.fromBase32(decryptSecret(encrypted, key));
  const timestamp = now.getTime();
  const delta = TOTP.validate({
    token: code,
    secret,
    period: PERIOD_SECONDS,
    timestamp,
    window: WINDOW_STEPS,
  });
  return delta === null ? null : TOTP.counter({ period: PERIOD_SECONDS, timestamp }) + delta;
}

function requireKey(deps: TotpDeps): string {
  if (!deps.encryptionKey)
    throw new ServiceUnavailableError(
      'Two-factor authentication needs TOLLGATE_ENCRYPTION_KEY to be set',
      'TOTP_UNAVAILABLE',
    );
  return deps.encryptionKey;
}

async function credentialOf(deps: TotpDeps, userId: string) {
  const credential = await deps.db.passwordCredential.findUnique({ where: { userId } });
  // A session exists only after a password sign-in, so this is a credential deleted since.
  if (!credential) throw new UnauthenticatedError('This user has no password sign-in', 'SESSION_EXPIRED');
  return credential;
}

/**
 * A new secret for the signed-in user's authenticator app, pending until confirmTotpEnrollment.
 * A second call replaces the pending one. TOTP already on: CONFLICT (disable it first).
 */
export async function startTotpEnrollment(
  deps: TotpDeps,
  principal: Principal | null,
): Promise<TotpEnrollment> {
  const session = requireSession(principal);
  const key = requireKey(deps);
  const credential = await credentialOf(deps, session.userId);
  if (credential.totpEnabledAt)
    throw new ConflictError(
      'Two-factor authentication is already on; disable it first',
      'TOTP_ALREADY_ENABLED',
    );
  const secret = new Secret({ size: 20 });
  await deps.db.passwordCredential.update({
    where: { id: credential.id },
    data: { totpPendingSecretEncrypted: encryptSecret(secret.base32, key) },
  });
  const otpauthUrl = new TOTP({
    issuer: 'Tollgate',
    label: credential.email,
    secret,
    period: PERIOD_SECONDS,
  }).toString();
  const svg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return {
    secret: secret.base32,
    otpauthUrl,
    qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
  };
}

/** Turns TOTP on once the app shows a valid code for the pending secret. */
export async function confirmTotpEnrollment(
  deps: TotpDeps,
  principal: Principal | null,
  code: string,
  sourceAddress: string,
): Promise<boolean> {
  const session = requireSession(principal);
  const key = requireKey(deps);
  const credential = await credentialOf(deps, session.userId);
  const pending = credential.totpPendingSecretEncrypted;
  if (!pending) throw new ConflictError('Start an enrollment first', 'TOTP_ENROLLMENT_NOT_STARTED');
  await deps.signInLimiter.check(credential.email, sourceAddress);
  const now = deps.clock();
  const step = matchingStep(pending, code, now, key);
  if (step === null) {
    await deps.signInLimiter.recordFailure(credential.email, sourceAddress);
    throw new TotpCodeInvalidError();
  }
  const { count } = await deps.db.passwordCredential.updateMany({
    where: { id: credential.id, totpPendingSecretEncrypted: pending },
    data: {
      totpSecretEncrypted: pending,
      totpPendingSecretEncrypted: null,
      totpEnabledAt: now,
      totpLastUsedStep: step,
    },
  });
  // Another enrollment replaced this one meanwhile: the code was for a secret no longer pending.
  if (count !== 1) throw new TotpCodeInvalidError();
  return true;
}

/** Turns TOTP off; takes a current code (a stolen session alone cannot), counted like sign-in failures. */
export async function disableTotp(
  deps: TotpDeps,
  principal: Principal | null,
  code: string,
  sourceAddress: string,
): Promise<boolean> {
  const session = requireSession(principal);
  requireKey(deps);
  const credential = await credentialOf(deps, session.userId);
  if (!credential.totpEnabledAt || !credential.totpSecretEncrypted)
    throw new ConflictError('Two-factor authentication is not on', 'TOTP_NOT_ENABLED');
  await deps.signInLimiter.check(credential.email, sourceAddress);
  const ok = await acceptTotpCode(deps.db, {
    credentialId: credential.id,
    encrypted: credential.totpSecretEncrypted,
    code,
    now: deps.clock(),
    encryptionKey: deps.encryptionKey,
  });
  if (!ok) {
    await deps.signInLimiter.recordFailure(credential.email, sourceAddress);
    throw new TotpCodeInvalidError();
  }
  await deps.db.passwordCredential.update({
    where: { id: credential.id },
    data: { totpSecretEncrypted: null, totpEnabledAt: null, totpPendingSecretEncrypted: null },
  });
  return true;
}
