import type { IncomingMessage } from 'node:http';
import { type ExecutionArgs, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';
import { SessionExpiredError } from '../identity/sign-in/errors.ts';
import { UnauthenticatedError } from '../lib/errors.ts';
import type { QueryCostBudget } from './cost-budget.ts';
import { IntrospectionDisabledError, QueryCostTooHighError, QueryTimeoutError } from './errors.ts';
import { operationCost } from './query-cost.ts';
import { rootFieldNames } from './root-fields.ts';

/** What a caller without a credential may select at the root. */
/**
 * signOut answers false anonymously (it only clears cookies); signIn, authSettings and the account
 * fields reached from an email or the sign-in page (signUp, verifyEmail, password reset) are public.
 */
const ACCOUNT_FIELDS = ['signUp', 'verifyEmail', 'requestPasswordReset', 'resetPassword'];
const ANONYMOUS_FIELDS = new Set([
  'health',
  '__typename',
  'signIn',
  'signOut',
  'authSettings',
  ...ACCOUNT_FIELDS,
]);
/**
 * Root fields a request whose session cookie failed may still ask for: signing in again (a stale
 * cookie must not lock anyone out), the public settings and the account fields (none reads the session). signOut also passes when the session
 * merely ended (it then clears the cookies), never with a wrong CSRF token.
 */
const SESSION_OPTIONAL_FIELDS = new Set(['__typename', 'signIn', 'authSettings', ...ACCOUNT_FIELDS]);
const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

type GuardedContext = Context & { req?: IncomingMessage };

/**
 * Runs once the caller is known, before a resolver runs, for queries, mutations and subscriptions
 * alike (HTTP, SSE and graphql-ws all execute through here):
 * 0. a session cookie that failed (SESSION_EXPIRED, CSRF_TOKEN_INVALID) answers its error, except
 *    for sign-in's own fields;
 * 1. who may ask: an anonymous caller gets `health`, sign-in's fields (and introspection only when
 *    GRAPHQL_INTROSPECTION=everyone); GRAPHQL_INTROSPECTION=off refuses it to everyone;
 * 2. the cost ceiling per operation (query-cost.ts), smaller for anonymous callers;
 * 3. the cost budget per minute per caller (cost-budget.ts): per API key, per source address for
 *    anonymous callers (the address failed credentials are counted by: CLIENT_IP_HEADER, else the
 *    TCP peer); the platform admin token (the operator's own) is not charged;
 * 4. the time budget of a query: past GRAPHQL_TIMEOUT_MS its unresolved fields are abandoned and
 *    it answers QUERY_TIMEOUT. Mutations run to the end (stopping one halfway would leave the
 *    caller unsure what was written); subscriptions are long-lived by design.
 * Every refusal is an AppError with its own code, thrown before execution.
 */
export function useOperationGuard(deps: { config: Config; budget: QueryCostBudget }): Plugin {
  const { config, budget } = deps;

  async function admit(args: ExecutionArgs) {
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return null; // execution reports the unknown operation
    const ctx = args.contextValue as GuardedContext;
    const anonymous = ctx.principal === null;
    const roots = rootFieldNames(args.document, operation);
    const introspects = roots.some((name) => INTROSPECTION_FIELDS.has(name));
    if (introspects && config.GRAPHQL_INTROSPECTION === 'off') throw new IntrospectionDisabledError();
    const rejection = ctx.sessionRejection;
    if (
      rejection &&
      !roots.every(
        (name) =>
          SESSION_OPTIONAL_FIELDS.has(name) ||
          (name === 'signOut' && rejection instanceof SessionExpiredError),
      )
    )
      throw rejection;
    if (anonymous) {
      const allowed = (name: string) =>
        ANONYMOUS_FIELDS.has(name) ||
        (INTROSPECTION_FIELDS.has(name) && config.GRAPHQL_INTROSPECTION === 'everyone');
      if (!roots.every(allowed))
        throw new UnauthenticatedError(
          introspects && roots.every((n) => allowed(n) || INTROSPECTION_FIELDS.has(n))
            ? 'Introspection needs a credential'
            : 'Authentication required',
        );
    }
    const cost = operationCost({
      schema: args.schema,
      document: args.document,
      operation,
      variables: args.variableValues,
      context: ctx,
    });
    const max = anonymous ? config.GRAPHQL_ANONYMOUS_COST_MAX : config.GRAPHQL_COST_MAX;
    if (cost > max) throw new QueryCostTooHighError(cost, max);
    const p = ctx.principal;
    const charge =
      p?.kind === 'platform_admin'
        ? null
        : await budget.charge(
            p === null
              ? `anonymous:${ctx.services.authFailures.sourceOf(ctx.req)}`
              : p.kind === 'session'
                ? `session:${p.sessionId}`
                : `api_key:${p.apiKeyId}`,
            cost,
            anonymous
              ? config.GRAPHQL_ANONYMOUS_COST_BUDGET_PER_MINUTE
              : config.GRAPHQL_COST_BUDGET_PER_MINUTE,
          );
    return {
      operation: operation.operation,
      cost: {
        requested: cost,
        ...(charge ? { budget: { perMinute: charge.limit, remaining: charge.remaining } } : {}),
      },
    };
  }

  return {
    async onExecute({ args }) {
      const admitted = await admit(args);
      if (!admitted) return;
      let timer: NodeJS.Timeout | undefined;
      if (admitted.operation === 'query') {
        const timeout = new AbortController();
        timer = setTimeout(
          () => timeout.abort(new QueryTimeoutError(config.GRAPHQL_TIMEOUT_MS)),
          config.GRAPHQL_TIMEOUT_MS,
        );
        timer.unref();
        // @graphql-tools/executor (yoga's) stops resolving and rejects with the reason once aborted.
        const withSignal = args as ExecutionArgs & { signal?: AbortSignal };
        withSignal.signal = withSignal.signal
          ? AbortSignal.any([withSignal.signal, timeout.signal])
          : timeout.signal;
      }
      return {
        onExecuteDone({ result, setResult }) {
          clearTimeout(timer);
          if (Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, cost: admitted.cost } });
        },
      };
    },
    async onSubscribe({ args }) {
      await admit(args);
    },
  };
}
