import type { Principal } from '../identity/principal.ts';

/** The OpenAI-compatible routes the proxy meters. Extra forwarded routes carry their own path. */
export type ProxyEndpoint =
  | '/v1/chat/completions'
  | '/v1/completions'
  | '/v1/embeddings'
  | '/v1/responses'
  | (string & {});

/** What the proxy knows about a request before it is admitted. Built from the validated body. */
export interface ProxyRequestInfo {
  requestId: string;
  /** True when the client chose the X-Request-ID (else Tollgate generated it, unique by construction). */
  requestIdFromClient: boolean;
  endpoint: ProxyEndpoint;
  credential: string | null;
  /** The parsed JSON body as the client sent it, an object with a string `model` (the proxy rewrites its own copy). */
  body: Readonly<Record<string, any>>;
  stream: boolean;
  /** Every text of the prompt (messages, prompt, input, instructions) joined, for pricing estimates. */
  promptTextForEstimate: string;
  /** Prompt tokens estimated by the proxy (chars/4 plus token-id inputs plus per-message overhead). */
  promptTokensEstimate: number;
  /** The client's max_tokens / max_completion_tokens / max_output_tokens, or null when absent. */
  maxTokens: number | null;
  /** `maxTokens`, or PROXY_DEFAULT_MAX_TOKENS when the client set none: the completion size a hold should cover. */
  maxTokensForEstimate: number;
  /** The client's `user` field; informational only, the proxy always replaces it with the admitted user. */
  clientUser: string | null;
}

/** What `admit` grants one request; `Ticket` is the admission's own record of it. */
export interface Admitted<Ticket> {
  /** The model to send upstream (differs from the requested one when a plan degrades it). */
  model: string;
  /** Sent upstream as `user` and `x-litellm-end-user-id`, whatever the client put there. */
  userId: string;
  /** Bearer credential for LiteLLM (the master key or a virtual key). Never shown to the client. */
  upstreamCredential: string;
  /** Added to the client response, e.g. plan limit headers. */
  responseHeaders: Record<string, string>;
  /** The proxy never looks inside: it hands it back to exactly one of settle or release. */
  ticket: Ticket;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  totalTokens: number;
}

export type OutcomeStatus = 'succeeded' | 'failed' | 'client_aborted';

export interface Outcome {
  /**
   * `succeeded`: upstream answered 2xx and the response reached the client.
   * `client_aborted`: the client went away; the upstream answer was still read (bounded) and is billed.
   * `failed`: upstream error/timeout/unreachable (released), or a stream that broke after it started (settled on
   * what was streamed, estimated).
   */
  status: OutcomeStatus;
  /** Status sent (or that would have been sent) to the client. */
  httpStatus: number;
  usage: Usage | null;
  /** True when usage was not reported by upstream and the proxy estimated it. */
  estimated: boolean;
  modelServed: string | null;
  /** From request arrival to the last byte handled. */
  latencyMs: number;
}

export interface Settlement {
  /** What this request is charged, exactly. */
  costNanos: bigint;
  /** The paying wallet's available balance as of this request's hold, less its charge; null when not known. */
  balanceNanos: bigint | null;
  currency: string;
}

export interface Priced {
  /** What the client is told, known as soon as the usage is: the response never waits for the ledger. */
  settlement: Settlement;
  /**
   * Resolves once the charge is in the settlement journal (never rejects): the proxy releases the
   * answer after it, so a charge the client was told survives the death of this process.
   */
  journaled: Promise<void>;
  /**
   * The posting — hold settled to the charge, usage record written — which resolves when it is
   * done and never rejects (failures are retried, then logged). The hold keeps the money reserved
   * until then, so a response that goes out first can never let the wallet overspend.
   */
  posted: Promise<void>;
}

/**
 * The admission port: everything the proxy needs from identity, plans, pricing and the ledger,
 * behind one injected interface (src/admission implements it; tests use FakeAdmission). The proxy
 * calls, per request: `authenticate` → `admit` → exactly one of `settle` or `release` (never both,
 * never twice), unless `admit` throws, in which case nothing is open. `Ticket` is whatever the
 * implementation needs to close what `admit` opened; the proxy is generic over it, so it can only
 * pass back the ticket it was given.
 */
export interface Admission<Ticket> {
  /** @throws AppError 401 (missing, wrong, revoked or expired credential). */
  authenticate(credential: string | null): Promise<Principal>;
  /**
   * Checks scopes, model allowlist, plan limits and funds, and places a hold.
   * @throws AppError 402 (insufficient funds), 403 (model or scope not allowed), 429 (plan limit).
   */
  admit(principal: Principal, info: ProxyRequestInfo): Promise<Admitted<Ticket>>;
  /** Charges `outcome.usage` (priced), closes the hold. Called for successes, client aborts and broken streams. */
  settle(ticket: Ticket, outcome: Outcome): Priced;
  /** Voids the hold; nothing is charged. Called when upstream failed before producing an answer. */
  release(ticket: Ticket, outcome: Outcome): Promise<void>;
  /** Filters the upstream model list for GET /v1/models. */
  listModels(principal: Principal, upstreamModels: string[]): string[];
}
