import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRawBody } from '../http/body.ts';
import type { Config } from '../config.ts';
import type { Principal } from '../identity/principal.ts';
import { currentRequestId } from '../lib/request-context.ts';
import type { Admission, Admitted, ProxyEndpoint, ProxyRequestInfo } from '../admission/port.ts';
import { relayBody } from './body-relay.ts';
import { Exchange } from './exchange.ts';
import type { BodyPolicy } from './forwarding.ts';
import type { ProxyMetrics } from './metrics.ts';
import { type ParsedRequest, parseProxyBody, requestInfo } from './request.ts';
import { relayStream } from './stream-relay.ts';
import type { UpstreamTransport } from './upstream.ts';

export interface InferenceDeps<Ticket> {
  config: Config;
  admission: Admission<Ticket>;
  metrics: ProxyMetrics;
  transport: UpstreamTransport;
  policyFor(endpoint: string): BodyPolicy;
  authenticate(req: IncomingMessage): { credential: string | null; principal: Promise<Principal> };
  /** Turns a refusal before admission into the one the client gets (an unpriced model LiteLLM does not serve → 404). */
  refineRefusal(err: unknown): Promise<unknown>;
  /** Answers an error in OpenAI's shape and counts the refusal. */
  reject(res: ServerResponse, route: string, err: unknown): void;
}

export interface Inference {
  /** One metered request: authenticate, validate, admit, forward, relay the answer, settle or release. */
  handle(endpoint: ProxyEndpoint, route: string, req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Resolves once every request in flight has been settled or released in the ledger. */
  idle(): Promise<void>;
}

export function createInference<Ticket>(deps: InferenceDeps<Ticket>): Inference {
  const { config, admission } = deps;
  const exchangeDeps = { config, admission, metrics: deps.metrics, transport: deps.transport };
  /** Requests not yet settled or released: responses may be out, their ledger postings not yet. */
  const inflight = new Set<Promise<void>>();

  /** Sends an admitted request upstream and carries the answer back; resolves once it is posted. */
  async function run(ex: Exchange<Ticket>, stream: boolean): Promise<void> {
    const forwarded = await ex.forward();
    if (forwarded) {
      const { up, stripUsage } = forwarded;
      const contentType = String(up.headers['content-type'] ?? '');
      if (stream && contentType.startsWith('text/event-stream'))
        await relayStream(ex, up, stripUsage, config);
      else await relayBody(ex, up, config);
    }
    return ex.posted;
  }

  return {
    async handle(endpoint, route, req, res) {
      const startedMs = performance.now();
      const requestId = currentRequestId() ?? String(res.getHeader('x-request-id') ?? '');
      let admitted: Admitted<Ticket>;
      let parsed: ParsedRequest;
      let info: ProxyRequestInfo;
      try {
        const auth = deps.authenticate(req);
        const credential = auth.credential;
        const principal = await auth.principal;
        const raw = await readRawBody(req, config.PROXY_MAX_BODY_BYTES);
        parsed = parseProxyBody(endpoint, raw, deps.policyFor(endpoint));
        info = requestInfo(endpoint, parsed, {
          requestId,
          requestIdFromClient: req.headers['x-request-id'] === requestId,
          credential,
          defaultMaxTokens: config.PROXY_DEFAULT_MAX_TOKENS,
          fileReferenceTokens: config.PROXY_FILE_REFERENCE_TOKENS,
        });
        admitted = await admission.admit(principal, info);
      } catch (err) {
        deps.reject(res, route, await deps.refineRefusal(err));
        return;
      }
      const input = { endpoint, route, req, res, requestId, startedMs, parsed, info, admitted };
      const ex = new Exchange(exchangeDeps, input);
      const done = run(ex, parsed.stream);
      inflight.add(done);
      try {
        await done;
      } finally {
        inflight.delete(done);
      }
    },

    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}
