import { nanosToMajorDecimal } from '../lib/money.ts';
import type { Settlement } from '../admission/port.ts';

/** Headers of the answer the client gets: what of upstream's it may see, and what Tollgate adds. */

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'trailers',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

/** LiteLLM response headers a client may see: its call id (for support), not its key spend, cost in USD, api base or provider headers. */
const RESPONSE_DROP = new Set([...HOP_BY_HOP, 'server', 'content-encoding']);

export function clientResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || RESPONSE_DROP.has(name)) continue;
    if (name.startsWith('x-litellm-') && name !== 'x-litellm-call-id') continue;
    if (name.startsWith('llm_provider-') || name.startsWith('x-ratelimit-') || name.startsWith('proxy-'))
      continue;
    out[name] = value;
  }
  return out;
}

/** The charge of a non-stream answer, in its headers (docs/proxy.md "What the client gets back"). */
export function settlementHeaders(s: Settlement, estimated: boolean): Record<string, string> {
  const h: Record<string, string> = {
    'x-tollgate-cost': nanosToMajorDecimal(s.costNanos),
    'x-tollgate-cost-nanos': s.costNanos.toString(),
    'x-tollgate-currency': s.currency,
  };
  if (s.balanceNanos !== null) h['x-tollgate-balance'] = nanosToMajorDecimal(s.balanceNanos);
  if (estimated) h['x-tollgate-usage-estimated'] = 'true';
  return h;
}

/**
 * The charge of a stream, as the SSE comment written after its end: a stream has no headers left to
 * carry it, and conforming clients skip comment lines.
 */
export function settlementComment(s: Settlement, estimated: boolean): string {
  const parts = [
    `tollgate-cost=${nanosToMajorDecimal(s.costNanos)}`,
    `currency=${s.currency}`,
    `cost_nanos=${s.costNanos}`,
  ];
  if (s.balanceNanos !== null) parts.push(`balance=${nanosToMajorDecimal(s.balanceNanos)}`);
  if (estimated) parts.push('estimated=true');
  return `: ${parts.join(' ')}\n\n`;
}

/** Added to every answer relayed from upstream, errors included: the plan's headers and LiteLLM's call id (for support). */
export function admittedHeaders(
  upstream: Record<string, string | string[] | undefined>,
  planHeaders: Record<string, string>,
): Record<string, string> {
  const h: Record<string, string> = { ...planHeaders };
  const callId = upstream['x-litellm-call-id'];
  if (typeof callId === 'string') h['x-litellm-call-id'] = callId;
  return h;
}
