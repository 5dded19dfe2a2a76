import { NotFoundError } from '../lib/errors.ts';

/**
 * The raw id prefix of every type a GraphQL argument names (src/lib/ids.ts `newId`). The CLI and the
 * logs print raw ids, so arguments take them as well as Relay global ids.
 */
const ID_PREFIXES = {
  Organization: 'org_',
  Team: 'team_',
  User: 'user_',
  Membership: 'mem_',
  ApiKey: 'key_',
  Wallet: 'wal_',
  Payment: 'pay_',
  Refund: 'ref_',
  Order: 'ord_',
  Dispute: 'dsp_',
  PriceRule: 'price_',
  Plan: 'plan_',
  PlanAssignment: 'passign_',
  WebhookEndpoint: 'whe_',
  Notification: 'ntf_',
  UsageRecord: 'use_',
} as const;

export type IdTypename = keyof typeof ID_PREFIXES;

export interface GlobalId {
  typename: string;
  id: string;
}

/**
 * An id argument that names nothing of the expected type: garbled, of another type, or not
 * canonical. NOT_FOUND, like an id of another tenant, so the answer never tells which it was.
 */
export class UnknownIdError extends NotFoundError {
  constructor(typename: string, value: string) {
    super(typename, value.slice(0, 128));
  }
}

/**
 * A Relay global id (base64 of `Typename:id`) or null. Strict: only the canonical base64 of a
 * non-empty typename and id, so one object has exactly one global id (Node's decoder accepts
 * padding variants and stray characters).
 */
export function parseGlobalId(value: string): GlobalId | null {
  const text = Buffer.from(value, 'base64').toString('utf8');
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1 || Buffer.from(text, 'utf8').toString('base64') !== value)
    return null;
  const typename = text.slice(0, at);
  if (!/^[A-Z_a-z]\w*$/.test(typename)) return null;
  return { typename, id: text.slice(at + 1) };
}

/**
 * The raw database id an argument names: a raw id with the type's prefix, or a global id of that
 * type. The one decoder for every id argument.
 * @throws UnknownIdError (NOT_FOUND) for anything else.
 */
export function decodeId(value: string | number, typename: IdTypename): string {
  const text = String(value);
  if (text.startsWith(ID_PREFIXES[typename])) return text;
  const g = parseGlobalId(text);
  if (g?.typename === typename) return g.id;
  throw new UnknownIdError(typename, text);
}
