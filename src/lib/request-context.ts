import { AsyncLocalStorage } from 'node:async_hooks';
import { uuidv7 } from './ids.ts';

export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

const REQUEST_ID_MAX = 128;
/** Printable ASCII only: anything else could forge log lines or headers downstream. */
const PRINTABLE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

export function isValidRequestId(value: string): boolean {
  return value.length > 0 && value.length <= REQUEST_ID_MAX && PRINTABLE.test(value);
}

/**
 * The request id to use for an incoming request: the client's if valid, else a new UUIDv7.
 * `replaced` is true when the client sent one we refused.
 */
export function resolveRequestId(header: string | string[] | undefined): {
  requestId: string;
  replaced: boolean;
} {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return { requestId: uuidv7(), replaced: false };
  if (isValidRequestId(value)) return { requestId: value, replaced: false };
  return { requestId: uuidv7(), replaced: true };
}
