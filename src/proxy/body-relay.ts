import type { Config } from '../config.ts';
import { sendError } from '../http/errors.ts';
import type { Usage } from '../admission/port.ts';
import { upstreamFailure } from './errors.ts';
import type { Relayed } from './exchange.ts';
import { settlementHeaders } from './headers.ts';
import type { UpstreamResponse } from './upstream.ts';
import { estimateUsage, usageOf } from './usage.ts';
import { CHAT_TEXT_KEYS, countStringChars, usageFromFragment } from './usage-scan.ts';

/** Window kept from the end of an oversized non-stream body to find `usage` in. */
const TAIL_WINDOW = 16 * 1024;

type End = 'end' | 'error' | 'drain_limit';

/**
 * Relays a non-stream answer. With PROXY_COST_HEADERS the body is held (up to PROXY_RESPONSE_BUFFER_MAX_BYTES:
 * a JSON answer is useless to a client until complete) so the cost can go in the headers; past
 * that, or without cost headers, bytes are forwarded as they arrive and settlement follows.
 * Resolves once the answer is settled or released and the client answered.
 */
export function relayBody(
  ex: Relayed,
  up: UpstreamResponse,
  config: Pick<Config, 'PROXY_COST_HEADERS' | 'PROXY_RESPONSE_BUFFER_MAX_BYTES'>,
): Promise<void> {
  const res = ex.res;
  const hold = config.PROXY_COST_HEADERS;
  const copyMax = config.PROXY_RESPONSE_BUFFER_MAX_BYTES;
  let chunks: Buffer[] = [];
  let size = 0;
  let overflowed = false;
  let tail: Buffer = Buffer.alloc(0);
  let headersSent = false;
  const sendHeadersNow = () => {
    if (headersSent || ex.clientGone) return;
    headersSent = true;
    res.writeHead(up.status, ex.answerHeaders(up));
  };
  if (!hold) sendHeadersNow();

  /** Bills what was read: the usage in the body (or in the tail of an oversized one), else an estimate. */
  const settle = async (kind: End, err?: unknown) => {
    if (kind === 'error') {
      // A cut JSON answer is worthless: release, and fail the client plainly.
      const failure = upstreamFailure(err);
      await ex.release(ex.outcome('failed', failure.status, null, false));
      if (ex.clientGone) return;
      if (headersSent) res.destroy();
      else sendError(res, failure, ex.requestId);
      return;
    }
    let usage: Usage | null = null;
    let completionChars = 0;
    if (!overflowed && kind === 'end') {
      const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      chunks = [whole];
      try {
        const body = JSON.parse(whole.toString('utf8'));
        usage = usageOf(body);
        if (typeof body?.model === 'string') ex.modelServed = body.model;
      } catch {
        usage = null;
      }
      if (!usage) completionChars = countStringChars(whole, CHAT_TEXT_KEYS);
    } else usage = usageFromFragment(tail);
    const estimated = usage === null;
    const billed = usage ?? estimateUsage(ex.info.promptTokensEstimate, completionChars);
    const outcome = ex.outcome(ex.clientGone ? 'client_aborted' : 'succeeded', up.status, billed, estimated);
    if (headersSent || ex.clientGone) {
      await ex.settle(outcome);
      if (!ex.clientGone) res.end();
      return;
    }
    const settled = await ex.settle(outcome);
    const whole = chunks[0] ?? Buffer.alloc(0);
    res.writeHead(up.status, {
      ...ex.answerHeaders(up),
      ...(settled ? settlementHeaders(settled, estimated) : {}),
      'content-length': String(whole.length),
    });
    res.end(whole);
  };

  return new Promise<void>((resolve) => {
    let finished = false;
    const finish = async (kind: End, err?: unknown) => {
      if (finished) return;
      finished = true;
      ex.upstreamEnded();
      if (kind !== 'end') up.body.destroy();
      try {
        await settle(kind, err);
      } finally {
        resolve();
      }
    };
    ex.drainOnClientGone(up, () => void finish('drain_limit'));
    up.body.on('data', (chunk: Buffer) => {
      ex.received(chunk.length);
      size += chunk.length;
      if (!overflowed && size > copyMax) {
        overflowed = true;
        if (hold && !ex.clientGone) {
          sendHeadersNow();
          for (const c of chunks) ex.write(c);
        }
        chunks = [];
      }
      if (!overflowed) chunks.push(chunk);
      if (headersSent) ex.write(chunk);
      if (overflowed) {
        tail = Buffer.concat([tail, chunk]);
        if (tail.length > TAIL_WINDOW) tail = tail.subarray(tail.length - TAIL_WINDOW);
      }
    });
    up.body.once('end', () => void finish('end'));
    up.body.once('error', (err) => void finish('error', err));
  });
}
