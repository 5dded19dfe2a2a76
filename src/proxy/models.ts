import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import { sendJson } from '../http/errors.ts';
import type { Principal } from '../identity/principal.ts';
import { currentRequestId } from '../lib/request-context.ts';
import { ModelNotPricedError } from '../pricing/errors.ts';
import { ModelNotFoundError, UpstreamAuthError, normaliseUpstreamError, upstreamFailure } from './errors.ts';
import { type UpstreamResponse, type UpstreamTransport, readUpstreamBody } from './upstream.ts';

/** How long LiteLLM's model list is trusted when telling an unknown model from an unpriced one. */
const SERVED_MODELS_TTL_MS = 60_000;
/** A model list is a few kilobytes; this bounds what a broken upstream can make us hold. */
const MODEL_LIST_MAX = 8 * 1024 * 1024;

export interface ModelsDeps {
  config: Pick<Config, 'LITELLM_MASTER_KEY'>;
  admission: { listModels(principal: Principal, upstreamModels: string[]): string[] };
  transport: UpstreamTransport;
  authenticate(req: IncomingMessage): { principal: Promise<Principal> };
  /** Answers an error in OpenAI's shape and counts the refusal. */
  reject(res: ServerResponse, route: string, err: unknown): void;
}

export interface Models {
  /** GET /v1/models: LiteLLM's list, filtered by the key's allowlist (`admission.listModels`). */
  route(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * MODEL_NOT_PRICED for a model LiteLLM does not serve is OpenAI's unknown-model answer (404, code
   * MODEL_NOT_FOUND); any other error is returned as it is.
   */
  unservedAsNotFound(err: unknown): Promise<unknown>;
}

export function createModels(deps: ModelsDeps): Models {
  const { config, transport } = deps;
  const masterKey: Record<string, string> = config.LITELLM_MASTER_KEY
    ? { authorization: `Bearer ${config.LITELLM_MASTER_KEY}` }
    : {};

  /**
   * The model names LiteLLM serves (GET /v1/models with our key), cached for a minute, or null when
   * it cannot say (down, error, a wildcard route). Asked only about a model Tollgate has no price
   * for, to tell "LiteLLM does not serve it" (MODEL_NOT_FOUND) from "not priced": a stale list only
   * changes which of the two errors a refused request gets.
   */
  let served: { ids: Set<string> | null; atMs: number } | null = null;
  const servedModels = async (): Promise<Set<string> | null> => {
    if (served && performance.now() - served.atMs < SERVED_MODELS_TTL_MS) return served.ids;
    let ids: Set<string> | null = null;
    try {
      const up = await transport.request({
        method: 'GET',
        path: '/v1/models',
        headers: masterKey,
        body: null,
      });
      const raw = await readUpstreamBody(up, MODEL_LIST_MAX);
      const list =
        up.status === 200 ? (JSON.parse(raw.toString('utf8')) as { data?: { id?: unknown }[] }) : null;
      if (Array.isArray(list?.data)) {
        const names = list.data.map((m) => String(m.id));
        ids = names.some((n) => n.includes('*')) ? null : new Set(names);
      }
    } catch {
      ids = null;
    }
    served = { ids, atMs: performance.now() };
    return ids;
  };

  return {
    async unservedAsNotFound(err) {
      if (!(err instanceof ModelNotPricedError)) return err;
      const model = String(err.details?.model ?? '');
      const ids = await servedModels();
      return ids && !ids.has(model) ? new ModelNotFoundError(model) : err;
    },

    async route(req, res) {
      const requestId = currentRequestId() ?? '';
      try {
        const principal = await deps.authenticate(req).principal;
        let up: UpstreamResponse;
        try {
          up = await transport.request({
            method: 'GET',
            path: '/v1/models',
            headers: { 'x-request-id': requestId, ...masterKey },
            body: null,
          });
        } catch (err) {
          throw upstreamFailure(err);
        }
        const raw = await readUpstreamBody(up, MODEL_LIST_MAX);
        if (up.status === 401) throw new UpstreamAuthError();
        if (up.status >= 400)
          return sendJson(res, up.status, normaliseUpstreamError(up.status, raw, requestId));
        const list = JSON.parse(raw.toString('utf8')) as { data?: { id: string }[] };
        const entries = Array.isArray(list.data) ? list.data : [];
        const allowed = new Set(
          deps.admission.listModels(
            principal,
            entries.map((e) => e.id),
          ),
        );
        sendJson(res, 200, { object: 'list', data: entries.filter((e) => allowed.has(e.id)) });
      } catch (err) {
        deps.reject(res, '/v1/models', err);
      }
    },
  };
}
