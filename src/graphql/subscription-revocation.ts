import type { ExecutionResult } from 'graphql';
import { type Plugin, isAsyncIterable } from 'graphql-yoga';
import type { Context } from '../context.ts';
import type { ApiKeyPrincipal, ApiKeyService } from '../identity/api-keys.ts';
import type { Principal, SessionPrincipal } from '../identity/principal.ts';
import { ForbiddenError } from '../lib/errors.ts';
import { currentRequestId } from '../lib/request-context.ts';
import { toGraphQLError } from './error-mapping.ts';

/**
 * Ends a subscription opened with an API key once that key no longer holds: revoked, expired by
 * rotation, its user removed, or its role or scopes changed (the subscription was authorized with
 * the old ones). Every such change already invalidates the key in every gateway process
 * (ApiKeyService, channel `apikey:invalidate`); on that signal the subscription authenticates its
 * credential again, and on failure sends one last result with the error (API_KEY_REVOKED,
 * API_KEY_EXPIRED, INVALID_API_KEY or CREDENTIAL_CHANGED) and completes. Works the same over
 * graphql-ws and SSE.
 */
export function useSubscriptionRevocation(apiKeys: ApiKeyService): Plugin {
  return {
    onSubscribe({ args }) {
      const ctx = args.contextValue as unknown as Context;
      const { credential, principal } = ctx;
      if (!credential || (principal?.kind !== 'api_key' && principal?.kind !== 'session')) return;
      const requestId = ctx.requestId ?? currentRequestId() ?? 'unknown';
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          const failure = (err: unknown): ExecutionResult => ({ errors: [toGraphQLError(err, requestId)] });
          let end!: (last: ExecutionResult) => void;
          const ended = new Promise<ExecutionResult>((resolve) => {
            end = resolve;
          });
          const recheck = () =>
            credential.authenticate().then(
              (now) => {
                if (!sameRights(principal, now))
                  end(
                    failure(
                      new ForbiddenError('The key’s rights changed: subscribe again', 'CREDENTIAL_CHANGED'),
                    ),
                  );
              },
              (err) => end(failure(err)),
            );
          const stopListening = apiKeys.onInvalidated((hashes) => {
            if (hashes === null || hashes.includes(credential.hash)) recheck();
          });
          // A session also ends by time, which nobody broadcasts: check again when it is due to end.
          const expiry = expiryTimer(credential.expiresAt, () => recheck().then(() => expiry.reschedule()));
          const stop = () => {
            stopListening();
            expiry.cancel();
          };
          setResult(endWith(result, ended, stop));
        },
      };
    },
  };
}

/** Fires `check` at `expiresAt` (and again wherever a still-valid session's new expiry lies). */
function expiryTimer(expiresAt: Date | undefined, check: () => Promise<void>) {
  let timer: NodeJS.Timeout | undefined;
  let at = expiresAt?.getTime();
  const schedule = () => {
    if (at === undefined) return;
    // setTimeout holds at most 2^31-1 ms (~24.8 days); a later expiry is reached in steps.
    timer = setTimeout(() => void check(), Math.min(Math.max(at - Date.now(), 0) + 1_000, 2 ** 31 - 1));
    timer.unref();
  };
  schedule();
  return {
    reschedule() {
      at = at === undefined ? undefined : Math.max(at, Date.now()) + 60_000;
      schedule();
    },
    cancel: () => clearTimeout(timer),
  };
}

function sameRights(before: ApiKeyPrincipal | SessionPrincipal, now: Principal | null): boolean {
  if (before.kind === 'session')
    return (
      now?.kind === 'session' &&
      now.sessionId === before.sessionId &&
      now.organizationId === before.organizationId &&
      now.role === before.role &&
      now.isPlatformAdmin === before.isPlatformAdmin
    );
  return (
    now?.kind === 'api_key' &&
    now.apiKeyId === before.apiKeyId &&
    now.organizationId === before.organizationId &&
    now.role === before.role &&
    now.isPlatformAdmin === before.isPlatformAdmin &&
    now.scopes.length === before.scopes.length &&
    now.scopes.every((s) => before.scopes.includes(s))
  );
}

/**
 * `source`, until `ended` resolves: then its value is the last item and the source is closed. An
 * async generator cannot do this: its `return()` waits for a pending `next()` of the source.
 */
function endWith<T>(
  source: AsyncIterable<T>,
  ended: Promise<T>,
  cleanup: () => void,
): AsyncIterableIterator<T> {
  const inner = source[Symbol.asyncIterator]();
  const endedItem = ended.then((value) => ({ endedWith: value }));
  let done = false;
  const finish = async () => {
    if (done) return;
    done = true;
    cleanup();
    await inner.return?.();
  };
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      if (done) return { done: true, value: undefined };
      const step = await Promise.race([inner.next(), endedItem]);
      if ('endedWith' in step) {
        await finish();
        return { done: false, value: step.endedWith };
      }
      if (step.done) {
        done = true;
        cleanup();
      }
      return step;
    },
    async return() {
      await finish();
      return { done: true, value: undefined };
    },
    async throw(err) {
      await finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
