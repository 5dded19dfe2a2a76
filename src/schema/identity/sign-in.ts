import { builder } from '../../builder.ts';
import { decodeId } from '../../graphql/ids.ts';
import { requirePrincipal } from '../../identity/access.ts';
import { requestPasswordReset, resetPassword } from '../../identity/sign-in/password-reset.ts';
import {
  listSessions,
  revokeSession,
  selectOrganization,
  signIn,
  signOut,
} from '../../identity/sign-in/sign-in.ts';
import { signUp, verifyEmail } from '../../identity/sign-in/sign-up.ts';
import {
  type TotpDeps,
  confirmTotpEnrollment,
  disableTotp,
  startTotpEnrollment,
} from '../../identity/sign-in/totp.ts';
import type { Context } from '../../context.ts';
import { Viewer, type ViewerShape, viewerOf } from './viewer.ts';

const SignInInput = builder.inputType('SignInInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    totpCode: t.string({ required: false, description: 'The authenticator app’s code, when asked for.' }),
  }),
});

const SignInPayload = builder
  .objectRef<{ viewer: ViewerShape | null; totpRequired: boolean }>('SignInPayload')
  .implement({
    fields: (t) => ({
      viewer: t.field({
        type: Viewer,
        nullable: true,
        description: 'The signed-in viewer; null when a TOTP code is required first.',
        resolve: (p) => p.viewer,
      }),
      totpRequired: t.exposeBoolean('totpRequired'),
    }),
  });

const AuthSettings = builder.objectRef<{ signUpOpen: boolean }>('AuthSettings').implement({
  fields: (t) => ({ signUpOpen: t.exposeBoolean('signUpOpen') }),
});

/** A signed-in browser of the viewer's user (`sessions`, `revokeSession`). */
export const SessionInfo = builder
  .objectRef<{
    id: string;
    createdAt: Date;
    lastSeenAt: Date;
    expiresAt: Date;
    userAgent: string | null;
    current: boolean;
  }>('SessionInfo')
  .implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime' }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
      userAgent: t.exposeString('userAgent', { nullable: true }),
      current: t.exposeBoolean('current'),
    }),
  });

builder.queryFields((t) => ({
  authSettings: t.field({
    keyScope: 'none',
    type: AuthSettings,
    description: 'What the sign-in page offers; public.',
    resolve: (_r, _a, ctx) => ({ signUpOpen: ctx.services.config.SIGNUP_ENABLED }),
  }),
}));

builder.mutationFields((t) => ({
  signIn: t.field({
    keyScope: 'none',
    type: SignInPayload,
    description:
      'Signs a person in with email and password (docs/security.md#sessions): sets the tollgate_session and tollgate_csrf cookies. Wrong email or password: INVALID_CREDENTIALS; too many failures: RATE_LIMITED.',
    args: { input: t.arg({ type: SignInInput, required: true }) },
    // Asked anonymously (cost ceiling GRAPHQL_ANONYMOUS_COST_MAX), yet the console selects the new
    // viewer in the same request. What is under signIn resolves only once the person is signed in,
    // so it is not charged to the anonymous caller: a failed sign-in stops at this field.
    complexity: { field: 1, multiplier: 0 },
    resolve: async (_r, { input }, ctx) => {
      const result = await signIn(ctx.services, ctx.web, { ...input, userAgent: ctx.userAgent });
      // The rest of this response (the Viewer) is the new session's.
      if (!result.totpRequired) ctx.principal = result.principal;
      return result.totpRequired
        ? { viewer: null, totpRequired: true }
        : { viewer: viewerOf(result.principal), totpRequired: false };
    },
  }),
  signOut: t.boolean({
    keyScope: 'none',
    description: 'Ends the current session and clears its cookies; false when the caller has no session.',
    resolve: (_r, _a, ctx) => signOut(ctx.services, ctx.principal, ctx.web),
  }),
  selectOrganization: t.field({
    keyScope: 'none',
    type: Viewer,
    description:
      'The organization this session acts in (its role there): one the user belongs to, any for a platform admin.',
    args: { organizationId: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      await selectOrganization(ctx.services, ctx.principal, decodeId(args.organizationId, 'Organization'));
      // The rest of this response (the Viewer) sees the session as it now is.
      ctx.principal = requirePrincipal((await ctx.credential?.authenticate()) ?? null);
      return viewerOf(ctx.principal);
    },
  }),
}));

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    name: t.string({ required: false }),
    organizationName: t.string({ required: true }),
  }),
});

const SignUpPayload = builder.objectRef<{ verificationSent: boolean }>('SignUpPayload').implement({
  fields: (t) => ({ verificationSent: t.exposeBoolean('verificationSent') }),
});

const TotpEnrollment = builder
  .objectRef<{ secret: string; otpauthUrl: string; qrCode: string }>('TotpEnrollment')
  .implement({
    fields: (t) => ({
      secret: t.exposeString('secret', { description: 'Base32, for typing into an authenticator app.' }),
      otpauthUrl: t.exposeString('otpauthUrl'),
      qrCode: t.exposeString('qrCode', {
        description: 'The otpauth URL as a QR code: a data:image/svg+xml URL.',
      }),
    }),
  });

const totpDeps = ({ services }: Pick<Context, 'services'>): TotpDeps => ({
  db: services.db,
  clock: services.clock,
  encryptionKey: services.config.TOLLGATE_ENCRYPTION_KEY,
  signInLimiter: services.signInLimiter,
});

builder.queryFields((t) => ({
  sessions: t.field({
    keyScope: 'none',
    type: [SessionInfo],
    description: 'The signed-in user’s live sessions (a session only: SESSION_REQUIRED otherwise).',
    resolve: (_r, _a, ctx) => listSessions(ctx.services, ctx.principal),
  }),
}));

builder.mutationFields((t) => ({
  signUp: t.field({
    keyScope: 'none',
    type: SignUpPayload,
    description:
      'Self sign-up (SIGNUP_ENABLED): a user, an organization it owns and a verification email; does not sign in. An email that already has an account gets the same answer (and its owner an email).',
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: (_r, { input }, ctx) => signUp(ctx.services, ctx.web, input),
  }),
  verifyEmail: t.boolean({
    keyScope: 'none',
    description: 'Spends the token of a verification email; TOKEN_INVALID when unknown, used or expired.',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_r, { token }, ctx) => verifyEmail(ctx.services, token),
  }),
  requestPasswordReset: t.boolean({
    keyScope: 'none',
    description:
      'Always true: when the email has an account, its owner gets a single-use reset link. Limited per email and per address (RATE_LIMITED).',
    args: { email: t.arg.string({ required: true }) },
    resolve: (_r, { email }, ctx) => requestPasswordReset(ctx.services, ctx.web, email),
  }),
  resetPassword: t.boolean({
    keyScope: 'none',
    description:
      'Sets the password of a reset link’s user, marks the email verified and ends every session of the user.',
    args: { token: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: (_r, { token, password }, ctx) => resetPassword(ctx.services, token, password),
  }),
  revokeSession: t.boolean({
    keyScope: 'none',
    description: 'Ends one of the signed-in user’s sessions; another user’s id answers NOT_FOUND.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => revokeSession(ctx.services, ctx.principal, ctx.web, String(id)),
  }),
  startTotpEnrollment: t.field({
    keyScope: 'none',
    type: TotpEnrollment,
    description: 'A new authenticator secret, pending until confirmTotpEnrollment (a session only).',
    resolve: (_r, _a, ctx) => startTotpEnrollment(totpDeps(ctx), ctx.principal),
  }),
  confirmTotpEnrollment: t.boolean({
    keyScope: 'none',
    description: 'Turns two-factor sign-in on once a code of the pending secret is valid.',
    args: { code: t.arg.string({ required: true }) },
    resolve: (_r, { code }, ctx) =>
      confirmTotpEnrollment(totpDeps(ctx), ctx.principal, code, ctx.web?.sourceAddress ?? 'websocket'),
  }),
  disableTotp: t.boolean({
    keyScope: 'none',
    description: 'Turns two-factor sign-in off; takes a current code.',
    args: { code: t.arg.string({ required: true }) },
    resolve: (_r, { code }, ctx) =>
      disableTotp(totpDeps(ctx), ctx.principal, code, ctx.web?.sourceAddress ?? 'websocket'),
  }),
}));
