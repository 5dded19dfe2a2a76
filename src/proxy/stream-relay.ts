import type { Config } from '../config.ts';
import { logger } from '../lib/logger.ts';
import type { OutcomeStatus, Usage } from '../admission/port.ts';
import type { Relayed } from './exchange.ts';
import { settlementComment } from './headers.ts';
import { DONE, type SseEvent, SseParser } from './sse.ts';
import type { UpstreamResponse } from './upstream.ts';
import { estimateUsage, usageOf } from './usage.ts';
import {
  CHAT_TEXT_KEYS,
  RESPONSES_TEXT_KEYS,
  countStringChars,
  hasUsageObject,
  isUsageOnlyChunk,
} from './usage-scan.ts';

/** A partial SSE event withheld while stripping is written through once it is this large: no usage chunk is. */
const STRIP_HOLD_MAX = 64 * 1024;
const ERROR_PREFIX = Buffer.from('{"error"');
const EMPTY = Buffer.alloc(0);

type End = 'end' | 'error' | 'drain_limit';

/**
 * Relays an SSE answer chunk by chunk as it arrives, reading usage, errors and the streamed text on
 * the way; with `strip`, the usage chunk Tollgate asked for is cut out (the client did not ask for it).
 * Then settles: see `finish`. Resolves once the stream is settled or released and the client answered.
 */
export function relayStream(
  ex: Relayed,
  up: UpstreamResponse,
  strip: boolean,
  config: Pick<Config, 'PROXY_STREAM_COST_COMMENT'>,
): Promise<void> {
  const res = ex.res;
  if (!ex.clientGone) {
    res.writeHead(up.status, ex.answerHeaders(up));
    res.flushHeaders();
  }
  const textKeys = ex.endpoint === '/v1/responses' ? RESPONSES_TEXT_KEYS : CHAT_TEXT_KEYS;
  const parser = new SseParser();
  let pendingWritten = 0;
  let usage: Usage | null = null;
  let completionChars = 0;
  let dataEvents = 0;
  let streamError = false;
  /**
   * The stream's end (`data: [DONE]`, or `response.completed` on /v1/responses) was written to a
   * client still there: it got the whole answer, so leaving before our cost comment is no abort
   * (the Python openai SDK closes the connection as soon as it reads [DONE]).
   */
  let endDelivered = false;

  /** Notes usage, errors and text; when stripping, returns what replaces a usage event (empty = drop it). */
  const inspect = (ev: SseEvent): Buffer | null => {
    const data = ev.data;
    if (!data) return null;
    dataEvents++;
    if (data.length === DONE.length && data.equals(DONE)) {
      // Written right after this inspection, in the same turn (the client cannot leave in between).
      if (!ex.clientGone) endDelivered = true;
      return null;
    }
    if (hasUsageObject(data)) {
      let obj: any;
      try {
        obj = JSON.parse(data.toString('utf8'));
      } catch {
        return null;
      }
      const reported = usageOf(obj);
      if (!reported) return null;
      usage = reported;
      if (obj.type === 'response.completed' && !ex.clientGone) endDelivered = true;
      const model = obj.model ?? obj.response?.model;
      if (typeof model === 'string') ex.modelServed = model;
      if (!strip) return null;
      if (isUsageOnlyChunk(obj)) return EMPTY;
      // Usage riding on a chunk that also carries content: forward the chunk without it.
      delete obj.usage;
      return Buffer.from(`data: ${JSON.stringify(obj)}\n\n`);
    }
    if (data.subarray(0, ERROR_PREFIX.length).equals(ERROR_PREFIX)) streamError = true;
    completionChars += countStringChars(data, textKeys);
    return null;
  };

  /**
   * Stream billing: the usage upstream reported, else an estimate from the prompt and the streamed
   * text. A stream that delivered no data event at all is released (nothing was served).
   */
  const settle = async (kind: End) => {
    const broken = kind === 'error' || streamError;
    const aborted = ex.clientGone && !endDelivered;
    const status: OutcomeStatus = aborted ? 'client_aborted' : broken ? 'failed' : 'succeeded';
    if (!usage && dataEvents === 0 && !ex.clientGone) {
      await ex.release(ex.outcome('failed', 502, null, false));
      if (!ex.clientGone) res.end();
      return;
    }
    const estimated = usage === null;
    const billed = usage ?? estimateUsage(ex.info.promptTokensEstimate, completionChars);
    if (kind === 'error' && !ex.clientGone && !usage) {
      const event = {
        error: {
          message: 'The upstream stream was interrupted',
          type: 'api_error',
          code: 'UPSTREAM_STREAM_BROKEN',
          param: null,
        },
      };
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    }
    const outcome = ex.outcome(status, 200, billed, estimated);
    if (ex.clientGone || !config.PROXY_STREAM_COST_COMMENT) {
      await ex.settle(outcome);
      if (!ex.clientGone) res.end();
      return;
    }
    const settled = await ex.settle(outcome);
    if (settled && !ex.clientGone) res.write(settlementComment(settled, estimated));
    res.end();
  };

  return new Promise<void>((resolve) => {
    let finished = false;
    const finish = (kind: End) => {
      if (finished) return;
      finished = true;
      ex.upstreamEnded();
      if (kind !== 'end') up.body.destroy();
      // An incomplete last event: dispatch what it has, then write whatever was held back.
      let replaced = false;
      const rest = parser.end((_b, ev) => {
        const replacement = inspect(ev);
        if (replacement && strip && pendingWritten === 0) {
          ex.write(replacement);
          replaced = true;
        }
      });
      if (rest && strip && !replaced) ex.write(rest.subarray(pendingWritten));
      settle(kind).finally(resolve);
    };
    ex.drainOnClientGone(up, () => finish('drain_limit'));
    up.body.on('data', (chunk: Buffer) => {
      ex.received(chunk.length);
      if (!strip) {
        ex.write(chunk);
        parser.feed(chunk, (_b, ev) => {
          inspect(ev);
        });
        return;
      }
      let writtenUpTo = pendingWritten;
      const { buf, tailStart } = parser.feed(chunk, (b, ev) => {
        const replacement = inspect(ev);
        if (replacement && ev.start >= writtenUpTo) {
          ex.write(b.subarray(writtenUpTo, ev.start));
          ex.write(replacement);
          writtenUpTo = ev.end;
        }
      });
      if (tailStart > writtenUpTo) {
        ex.write(buf.subarray(writtenUpTo, tailStart));
        writtenUpTo = tailStart;
      }
      if (buf.length - tailStart > STRIP_HOLD_MAX) {
        ex.write(buf.subarray(writtenUpTo));
        writtenUpTo = buf.length;
      }
      pendingWritten = Math.max(0, writtenUpTo - tailStart);
    });
    up.body.once('end', () => finish('end'));
    up.body.once('error', (err) => {
      logger.warn({ err }, 'upstream stream broke');
      streamError = true;
      finish('error');
    });
  });
}
