import { builder } from '../../builder.ts';
import { decodeId } from '../../graphql/ids.ts';
import { requirePrincipal } from '../../identity/access.ts';
import { selectOrganization, signIn, signOut } from '../../identity/sign-in/sign-in.ts';
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

/** A signed-in browser (stage 2 lists them: `sessions`, `revokeSession`). */
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
    resolve: () => ({ signUpOpen: false }),
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
