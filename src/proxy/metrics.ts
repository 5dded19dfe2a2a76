import { Counter, Histogram } from 'prom-client';
import type { Metrics } from '../http/metrics.ts';

const FAST_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
const SLOW_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** Proxy metrics on the app's registry. `model` is the admitted model, so cardinality is bounded by the model list. */
export function createProxyMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  return {
    requests: new Counter({
      name: 'tollgate_proxy_requests_total',
      help: 'Proxied requests by route, model, HTTP status and outcome (succeeded, failed, client_aborted, rejected)',
      labelNames: ['route', 'model', 'status', 'outcome'] as const,
      registers,
    }),
    estimated: new Counter({
      name: 'tollgate_proxy_usage_estimated_total',
      help: 'Requests billed on estimated usage because upstream reported none',
      labelNames: ['route'] as const,
      registers,
    }),
    upstreamDuration: new Histogram({
      name: 'tollgate_proxy_upstream_duration_seconds',
      help: 'Upstream time from dispatch to the last body byte',
      labelNames: ['route'] as const,
      buckets: SLOW_BUCKETS,
      registers,
    }),
    upstreamTtfb: new Histogram({
      name: 'tollgate_proxy_upstream_ttfb_seconds',
      help: 'Upstream time from dispatch to the first body byte',
      labelNames: ['route'] as const,
      buckets: SLOW_BUCKETS,
      registers,
    }),
    overhead: new Histogram({
      name: 'tollgate_proxy_overhead_seconds',
      help: 'Time the proxy adds: total handling time minus upstream time (auth, admission, settlement, copying)',
      labelNames: ['route'] as const,
      buckets: FAST_BUCKETS,
      registers,
    }),
  };
}

export type ProxyMetrics = ReturnType<typeof createProxyMetrics>;
