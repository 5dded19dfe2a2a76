import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import { sendError, sendJson } from '../http/errors.ts';
import { AppError } from '../lib/errors.ts';
import { logger } from '../lib/logger.ts';
import { runWithRequestContext } from '../lib/request-context.ts';
import type {
  Admission,
  Admitted,
  Outcome,
  OutcomeStatus,
  ProxyEndpoint,
  ProxyRequestInfo,
  Settlement,
  Usage,
} from '../admission/port.ts';
import {
  ModelNotFoundError,
  UpstreamAuthError,
  normaliseUpstreamError,
  unknownModelIn,
  upstreamFailure,
} from './errors.ts';
import { upstreamHeaders, upstreamPath } from './forwarding.ts';
import { admittedHeaders, clientResponseHeaders } from './headers.ts';
import type { ProxyMetrics } from './metrics.ts';
import { type ParsedRequest, upstreamBody } from './request.ts';
import { type UpstreamResponse, type UpstreamTransport, readUpstreamBody } from './upstream.ts';

/** Upstream error bodies are small; anything beyond this is cut (the status still goes through). */
const ERROR_BODY_MAX = 64 * 1024;

/**
 * What a relay (stream-relay.ts, body-relay.ts) drives: the client side of one exchange, its
 * timings and its one settle or release. The relay owns what it reads out of the answer.
 */
export interface Relayed {
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly endpoint: ProxyEndpoint;
  readonly info: ProxyRequestInfo;
  /** True once the client has closed before the answer ended. */
  readonly clientGone: boolean;
  /** The model upstream says it served, when the answer names one. */
  modelServed: string | null;
  /** The headers of the relayed answer: upstream's allowed ones, the plan's, the request id. */
  answerHeaders(up: UpstreamResponse): OutgoingHttpHeaders;
  /** Writes to the client with backpressure on the upstream body; a gone client just drops bytes. */
  write(chunk: Buffer): void;
  /**
   * Keeps reading upstream once the client leaves, so its usage still arrives and is billed; calls
   * `stop` past PROXY_DRAIN_MAX_MS or PROXY_DRAIN_MAX_BYTES read after the client left.
   */
  drainOnClientGone(up: UpstreamResponse, stop: () => void): void;
  /** Per upstream body chunk: notes the first byte and counts what is read after the client left. */
  received(bytes: number): void;
  /** The upstream body ended (or was cut): stops the drain clock and notes the time. */
  upstreamEnded(): void;
  outcome(status: OutcomeStatus, httpStatus: number, usage: Usage | null, estimated: boolean): Outcome;
  /** Settles once the charge is journaled (the last of the answer is written only after); null if settling failed. */
  settle(outcome: Outcome): Promise<Settlement | null>;
  /** Releases the hold: nothing is charged. */
  release(outcome: Outcome): Promise<void>;
}

export interface ExchangeInput<Ticket> {
  endpoint: ProxyEndpoint;
  route: string;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  startedMs: number;
  parsed: ParsedRequest;
  info: ProxyRequestInfo;
  admitted: Admitted<Ticket>;
}

/** What an exchange needs from the handler that made it. */
export interface ExchangeDeps<Ticket> {
  config: Pick<Config, 'PROXY_DRAIN_MAX_MS' | 'PROXY_DRAIN_MAX_BYTES'>;
  admission: Pick<Admission<Ticket>, 'settle' | 'release'>;
  metrics: ProxyMetrics;
  transport: UpstreamTransport;
}

/**
 * One admitted request, from dispatch to settlement: `forward` sends it upstream and answers any
 * failure itself; a relay then carries the answer back. Ends in exactly one settle or release.
 */
export class Exchange<Ticket> implements Relayed {
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly endpoint: ProxyEndpoint;
  readonly info: ProxyRequestInfo;
  modelServed: string | null = null;
  /** The ledger posting of this request, awaited after the response has gone out. */
  posted: Promise<void> = Promise.resolve();
  private gone = false;
  private closed = false;
  private upstreamStartMs = 0;
  private firstByteMs = 0;
  private upstreamEndMs = 0;
  private drainBytes = 0;
  private drainTimer: NodeJS.Timeout | null = null;
  private stopDrain: (() => void) | null = null;
  private up: UpstreamResponse | null = null;
  private onClientGone: (() => void) | null = null;

  constructor(
    private readonly deps: ExchangeDeps<Ticket>,
    private readonly x: ExchangeInput<Ticket>,
  ) {
    this.res = x.res;
    this.requestId = x.requestId;
    this.endpoint = x.endpoint;
    this.info = x.info;
    // The client may already have left while admission ran.
    if (x.res.destroyed || x.req.socket.destroyed) this.gone = true;
    else
      x.res.once('close', () => {
        if (x.res.writableFinished) return;
        this.gone = true;
        this.onClientGone?.();
      });
  }

  get clientGone(): boolean {
    return this.gone;
  }

  /**
   * Sends the request upstream. Resolves to the 2xx answer for a relay to carry back, with whether
   * its usage chunk is ours to strip; or null when upstream failed, which this has answered and released.
   */
  async forward(): Promise<{ up: UpstreamResponse; stripUsage: boolean } | null> {
    const { x } = this;
    const { body, stripUsage } = upstreamBody(x.endpoint, x.parsed, x.admitted);
    const headers = upstreamHeaders(x.req.headers, {
      credential: x.admitted.upstreamCredential,
      userId: x.admitted.userId,
      requestId: x.requestId,
      bodyBytes: body.length,
    });
    this.upstreamStartMs = performance.now();
    let up: UpstreamResponse;
    try {
      // The route's own path: the client's query string never reaches LiteLLM (it reads `model` there).
      const path = upstreamPath(x.endpoint, x.req.url);
      up = await this.deps.transport.request({ method: 'POST', path, headers, body });
    } catch (err) {
      const failure = upstreamFailure(err);
      // An open circuit breaker's 503 is expected and counted by the breaker: no warning per request.
      if (!(err instanceof AppError)) logger.warn({ err, failure: failure.code }, 'upstream request failed');
      await this.fail(failure);
      return null;
    }
    this.up = up;
    if (up.status >= 400) {
      await this.answerUpstreamError(up);
      return null;
    }
    return { up, stripUsage };
  }

  answerHeaders(up: UpstreamResponse): OutgoingHttpHeaders {
    return {
      ...clientResponseHeaders(up.headers),
      ...admittedHeaders(up.headers, this.x.admitted.responseHeaders),
      'x-request-id': this.requestId,
    };
  }

  write(chunk: Buffer) {
    if (this.gone || chunk.length === 0) return;
    if (!this.res.write(chunk) && this.up) {
      const body = this.up.body;
      body.pause();
      const resume = () => body.resume();
      this.res.once('drain', resume);
    }
  }

  drainOnClientGone(up: UpstreamResponse, stop: () => void) {
    this.stopDrain = stop;
    const begin = () => {
      up.body.resume();
      this.drainTimer = setTimeout(stop, this.deps.config.PROXY_DRAIN_MAX_MS);
      this.drainTimer.unref();
    };
    if (this.gone) begin();
    else this.onClientGone = begin;
  }

  received(bytes: number) {
    if (!this.firstByteMs) this.firstByteMs = performance.now();
    if (!this.gone) return;
    this.drainBytes += bytes;
    if (this.drainBytes > this.deps.config.PROXY_DRAIN_MAX_BYTES) this.stopDrain?.();
  }

  upstreamEnded() {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.upstreamEndMs = performance.now();
  }

  outcome(status: OutcomeStatus, httpStatus: number, usage: Usage | null, estimated: boolean): Outcome {
    return {
      status,
      httpStatus,
      usage,
      estimated,
      modelServed: this.modelServed ?? (usage ? this.x.admitted.model : null),
      latencyMs: performance.now() - this.x.startedMs,
    };
  }

  async release(outcome: Outcome) {
    if (this.closed) return;
    this.closed = true;
    this.record(outcome);
    try {
      await this.inOwnContext(() => this.deps.admission.release(this.x.admitted.ticket, outcome));
    } catch (err) {
      logger.error({ err }, 'releasing a hold failed');
    }
  }

  async settle(outcome: Outcome): Promise<Settlement | null> {
    if (this.closed) return null;
    this.closed = true;
    this.record(outcome);
    try {
      const priced = this.inOwnContext(() => this.deps.admission.settle(this.x.admitted.ticket, outcome));
      this.posted = priced.posted;
      await priced.journaled;
      return priced.settlement;
    } catch (err) {
      logger.error({ err, usage: outcome.usage }, 'settling a request failed');
      return null;
    }
  }

  private record(outcome: Outcome) {
    const { route } = this.x;
    const m = this.deps.metrics;
    const end = performance.now();
    m.requests.inc({
      route,
      model: this.x.admitted.model,
      status: String(outcome.httpStatus),
      outcome: outcome.status,
    });
    if (outcome.estimated) m.estimated.inc({ route });
    if (this.upstreamStartMs) {
      const upstreamEnd = this.upstreamEndMs || end;
      m.upstreamDuration.observe({ route }, (upstreamEnd - this.upstreamStartMs) / 1000);
      if (this.firstByteMs)
        m.upstreamTtfb.observe({ route }, (this.firstByteMs - this.upstreamStartMs) / 1000);
      const overhead = end - this.x.startedMs - (upstreamEnd - this.upstreamStartMs);
      m.overhead.observe({ route }, Math.max(0, overhead) / 1000);
    }
  }

  /**
   * Runs `fn` in this request's context. Settlement is reached from upstream socket events, which
   * run in the context of whichever request opened the pooled connection: without this, logs (and
   * anything reading the context) would name that other request.
   */
  private inOwnContext<T>(fn: () => T): T {
    return runWithRequestContext({ requestId: this.requestId }, fn);
  }

  /** Upstream produced no answer: release the hold and tell the client. */
  private async fail(err: AppError) {
    this.upstreamEndMs = performance.now();
    await this.release(this.outcome('failed', err.status, null, false));
    if (!this.gone) sendError(this.res, err, this.requestId);
  }

  /** Upstream answered an error: release, and pass it on in OpenAI's shape. */
  private async answerUpstreamError(up: UpstreamResponse) {
    let raw: Buffer;
    try {
      raw = await readUpstreamBody(up, ERROR_BODY_MAX);
    } catch {
      raw = Buffer.alloc(0);
    }
    this.upstreamEndMs = performance.now();
    if (up.status === 401) {
      logger.error({ status: up.status }, 'LiteLLM rejected the upstream credential');
      return this.fail(new UpstreamAuthError());
    }
    await this.release(this.outcome('failed', up.status, null, false));
    if (this.gone) return;
    const unknown = unknownModelIn(up.status, raw);
    if (unknown !== null) return sendError(this.res, new ModelNotFoundError(unknown), this.requestId);
    const body = normaliseUpstreamError(up.status, raw, this.requestId);
    sendJson(this.res, up.status, body, admittedHeaders(up.headers, this.x.admitted.responseHeaders));
  }
}
