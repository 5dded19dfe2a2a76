import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for LiteLLM's OpenAI-compatible data plane (and, with `masterKey` set to the
 * provider key, for an OpenAI-compatible provider behind a real LiteLLM). Deterministic: the
 * answer is `chunks` joined, usage is exactly the configured token counts.
 *
 * Faithful to LiteLLM 1.8x where it matters to billing: `usage: null` on ordinary stream chunks,
 * one `choices: []` usage chunk only when `stream_options.include_usage` is true, `data: [DONE]`,
 * `x-litellm-*` headers (`x-litellm-response-cost` on non-stream only), both error shapes.
 */
export interface DataPlaneOptions {
  /** Required bearer (Authorization or x-litellm-api-key); null = open. */
  masterKey: string | null;
  /** Served model names; requests for others get LiteLLM's 400. Empty = accept any. */
  models: string[];
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** Non-stream: time before the answer. */
  serviceTimeMs: number;
  /** Stream: time before headers and the first chunk (defaults to serviceTimeMs). */
  ttfbMs: number | null;
  interChunkMs: number;
  chunks: string[];
  /** Keep every request (headers + body) in `requests`; off for benchmarks. */
  record: boolean;
  version: string;
  /**
   * Shape of the usage chunk: `empty-delta` = one choice with `delta: {}` (what LiteLLM 1.89.7
   * actually sends, observed through the real proxy), `empty` = `choices: []` (OpenAI's own shape).
   */
  usageChunk: 'empty-delta' | 'empty';
}

export type Behaviour =
  | { kind: 'status'; status: number; shape?: 'error' | 'detail' | 'text'; message?: string }
  /** Accept the request and never answer (headers timeout). */
  | { kind: 'hang' }
  /** Accept the request and answer (normally, or with `then`) only once `release` resolves: tests wait on `received`. */
  | { kind: 'gate'; release: Promise<unknown>; then?: Behaviour }
  /** Destroy the connection before any response byte. */
  | { kind: 'reset' }
  /** Stream: send `afterChunks` content chunks, then destroy the connection. */
  | { kind: 'reset-mid-stream'; afterChunks: number }
  /** Stream: send `afterChunks` content chunks, then go silent (body timeout). */
  | { kind: 'stall-mid-stream'; afterChunks: number }
  /** Stream: end with [DONE] but without the usage chunk, even when asked for it. */
  | { kind: 'no-usage' }
  /** Stream: send everything through `data: [DONE]`, then end the response only once `release` resolves. */
  | { kind: 'linger-after-done'; release: Promise<unknown> }
  /** Non-stream: send the headers and half the JSON body, then destroy the connection. */
  | { kind: 'reset-mid-body' };

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string as received (`''` when none): LiteLLM reads `model` and `api-version` there. */
  query: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export interface DataPlaneDouble {
  url: string;
  options: DataPlaneOptions;
  requests: RecordedRequest[];
  /** Queue a behaviour for the next inference request (FIFO). */
  next(b: Behaviour): void;
  /** Responses whose client went away before the stream ended. */
  abortedStreams: number;
  /** Requests that reached a `gate` behaviour (they are waiting for its release or were answered). */
  gated: number;
  close(): Promise<void>;
}

const DEFAULTS: DataPlaneOptions = {
  masterKey: 'sk-double-master',
  models: [],
  promptTokens: 11,
  completionTokens: 7,
  cachedTokens: 3,
  serviceTimeMs: 0,
  ttfbMs: null,
  interChunkMs: 0,
  chunks: ['Hello', ' from', ' the', ' double', '.'],
  record: true,
  version: '1.89.7',
  usageChunk: 'empty-delta',
};

const ROUTE_OF_KIND: Record<string, string> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
  responses: '/responses',
};

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

function readJson(req: IncomingMessage): Promise<any> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(raw ? JSON.parse(raw) : null);
      } catch {
        resolve(raw);
      }
    });
  });
}

function liteLLMError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  shape: 'error' | 'detail' | 'text' = 'error',
) {
  if (shape === 'text') {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(message);
    return;
  }
  const body =
    shape === 'detail'
      ? { detail: message }
      : { error: { message, type, param: 'None', code: String(status) } };
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startDataPlaneDouble(opts: Partial<DataPlaneOptions> = {}): Promise<DataPlaneDouble> {
  const options: DataPlaneOptions = { ...DEFAULTS, ...opts };
  const requests: RecordedRequest[] = [];
  const queue: Behaviour[] = [];
  let seq = 0;
  const state = { abortedStreams: 0, gated: 0 };

  const usageChat = () => ({
    prompt_tokens: options.promptTokens,
    completion_tokens: options.completionTokens,
    total_tokens: options.promptTokens + options.completionTokens,
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: null },
    prompt_tokens_details: { cached_tokens: options.cachedTokens, audio_tokens: null },
  });
  const usageResponses = () => ({
    input_tokens: options.promptTokens,
    input_tokens_details: { cached_tokens: options.cachedTokens },
    output_tokens: options.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: options.promptTokens + options.completionTokens,
  });

  const headersFor = (model: string, stream: boolean): Record<string, string> => ({
    'x-litellm-call-id': randomUUID(),
    'x-litellm-model-id': 'd0c7e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0',
    'x-litellm-model-group': model,
    'x-litellm-model-api-base': 'http://internal-provider.invalid/v1',
    'x-litellm-version': options.version,
    'x-litellm-key-spend': '0.0',
    'x-litellm-response-duration-ms': String(options.serviceTimeMs),
    'x-litellm-overhead-duration-ms': '1.2',
    'x-ratelimit-remaining-requests': '9999',
    'llm_provider-openai-processing-ms': '5',
    ...(stream ? {} : { 'x-litellm-response-cost': '2.1e-05' }),
  });

  async function inference(kind: string, req: IncomingMessage, res: ServerResponse, body: any) {
    let behaviour = queue.shift();
    const model = String(body?.model ?? '');
    if (options.models.length && !options.models.includes(model)) {
      // LiteLLM 1.89.7's exact body (ProxyModelNotFoundError through its exception handler).
      const message = `${ROUTE_OF_KIND[kind] ?? `/${kind}`}: Invalid model name passed in model=${model}. Call \`/v1/models\` to view available models for your key.`;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message,
            type: 'None',
            param: 'None',
            code: '400',
            provider_specific_fields: { error: message },
          },
        }),
      );
      return;
    }
    if (behaviour?.kind === 'gate') {
      state.gated++;
      await behaviour.release;
      behaviour = behaviour.then;
    }
    if (behaviour?.kind === 'reset') return req.socket.destroy();
    if (behaviour?.kind === 'hang') return;
    const stream = body?.stream === true && kind !== 'embeddings';
    await sleep(stream ? (options.ttfbMs ?? options.serviceTimeMs) : options.serviceTimeMs);
    if (behaviour?.kind === 'status') {
      return liteLLMError(
        res,
        behaviour.status,
        behaviour.message ?? 'litellm.InternalServerError: upstream exploded',
        behaviour.status >= 500 ? 'internal_server_error' : 'invalid_request_error',
        behaviour.shape,
      );
    }
    const id = `${kind === 'responses' ? 'resp' : 'chatcmpl'}-${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const text = options.chunks.join('');
    if (!stream) {
      let out: unknown;
      if (kind === 'chat')
        out = {
          id,
          created,
          model,
          object: 'chat.completion',
          system_fingerprint: null,
          choices: [
            {
              finish_reason: 'stop',
              index: 0,
              message: { content: text, role: 'assistant', tool_calls: null, function_call: null },
            },
          ],
          usage: usageChat(),
        };
      else if (kind === 'completions')
        out = {
          id,
          created,
          model,
          object: 'text_completion',
          system_fingerprint: null,
          choices: [{ finish_reason: 'stop', index: 0, text, logprobs: null }],
          usage: usageChat(),
        };
      else if (kind === 'embeddings') {
        const inputs = Array.isArray(body.input) ? body.input : [body.input];
        out = {
          model,
          data: inputs.map((_: unknown, index: number) => ({
            object: 'embedding',
            index,
            embedding: [0.1, -0.2, 0.3, 0.4],
          })),
          object: 'list',
          usage: { prompt_tokens: options.promptTokens, total_tokens: options.promptTokens },
        };
      } else
        out = {
          id,
          object: 'response',
          created_at: created,
          status: 'completed',
          model,
          output: [
            {
              type: 'message',
              id: `msg_${seq}`,
              status: 'completed',
              role: 'assistant',
              content: [{ type: 'output_text', text, annotations: [] }],
            },
          ],
          usage: usageResponses(),
        };
      const payload = JSON.stringify(out);
      if (behaviour?.kind === 'reset-mid-body') {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(payload)),
        });
        res.write(payload.slice(0, payload.length >> 1));
        setTimeout(() => req.socket.destroy(), 10);
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(payload)),
        ...headersFor(model, false),
      });
      res.end(payload);
      return;
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...headersFor(model, true),
    });
    let closed = false;
    res.once('close', () => {
      if (!res.writableFinished) {
        closed = true;
        state.abortedStreams++;
      }
    });
    const send = (data: string, event?: string) => {
      if (!closed) res.write(`${event ? `event: ${event}\n` : ''}data: ${data}\n\n`);
    };
    const breakAt =
      behaviour?.kind === 'reset-mid-stream' || behaviour?.kind === 'stall-mid-stream'
        ? behaviour.afterChunks
        : Infinity;
    const wantUsage = body?.stream_options?.include_usage === true && behaviour?.kind !== 'no-usage';

    if (kind === 'responses') {
      const base = { id, object: 'response', created_at: created, model, output: [] as unknown[] };
      let n = 0;
      send(
        JSON.stringify({
          type: 'response.created',
          sequence_number: n++,
          response: { ...base, status: 'in_progress', usage: null },
        }),
        'response.created',
      );
      for (let i = 0; i < options.chunks.length; i++) {
        if (i === breakAt) return breakStream(behaviour!, req, res);
        if (i > 0) await sleep(options.interChunkMs);
        send(
          JSON.stringify({
            type: 'response.output_text.delta',
            sequence_number: n++,
            item_id: `msg_${seq}`,
            output_index: 0,
            content_index: 0,
            delta: options.chunks[i],
          }),
          'response.output_text.delta',
        );
      }
      send(
        JSON.stringify({
          type: 'response.output_text.done',
          sequence_number: n++,
          item_id: `msg_${seq}`,
          output_index: 0,
          content_index: 0,
          text,
        }),
        'response.output_text.done',
      );
      const output = [
        {
          type: 'message',
          id: `msg_${seq}`,
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text, annotations: [] }],
        },
      ];
      if (behaviour?.kind !== 'no-usage')
        send(
          JSON.stringify({
            type: 'response.completed',
            sequence_number: n++,
            response: { ...base, status: 'completed', output, usage: usageResponses() },
          }),
          'response.completed',
        );
      if (!closed) res.end();
      return;
    }

    const object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    const chunk = (choice: Record<string, unknown>) =>
      JSON.stringify({
        id,
        created,
        model,
        object,
        system_fingerprint: null,
        choices: [{ index: 0, ...choice }],
        usage: null,
      });
    if (kind === 'chat') send(chunk({ delta: { role: 'assistant', content: '' }, finish_reason: null }));
    for (let i = 0; i < options.chunks.length; i++) {
      if (i === breakAt) return breakStream(behaviour!, req, res);
      if (i > 0) await sleep(options.interChunkMs);
      if (closed) break;
      const piece = options.chunks[i];
      send(
        chunk(
          kind === 'chat'
            ? { delta: { content: piece }, finish_reason: null }
            : { text: piece, finish_reason: null, logprobs: null },
        ),
      );
    }
    send(
      chunk(
        kind === 'chat'
          ? { delta: {}, finish_reason: 'stop' }
          : { text: '', finish_reason: 'stop', logprobs: null },
      ),
    );
    if (wantUsage)
      send(
        JSON.stringify({
          id,
          created,
          model,
          object,
          system_fingerprint: null,
          choices: [],
          usage: usageChat(),
        }),
      );
    send('[DONE]');
    if (behaviour?.kind === 'linger-after-done') await behaviour.release;
    if (!closed) res.end();
  }

  function breakStream(b: Behaviour, req: IncomingMessage, _res: ServerResponse) {
    // Let the chunks already written reach the client first, as a real mid-stream reset would.
    if (b.kind === 'reset-mid-stream') setTimeout(() => req.socket.destroy(), 10);
    // stall: keep the connection open and silent
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://double');
    const path = url.pathname.replace(/^\/v1(?=\/)/, '');
    const body = req.method === 'POST' ? await readJson(req) : null;
    if (options.record)
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search,
        headers: req.headers,
        body,
      });
    if (options.masterKey !== null) {
      const auth = req.headers.authorization ?? req.headers['x-litellm-api-key'];
      const key = typeof auth === 'string' ? auth.replace(/^Bearer\s+/i, '') : null;
      if (!key) return liteLLMError(res, 401, 'Authentication Error, No api key passed in.', 'auth_error');
      if (key !== options.masterKey)
        return liteLLMError(
          res,
          401,
          'Authentication Error, Invalid proxy server token passed. Received API Key = sk-...xxxx',
          'auth_error',
        );
    }
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      const ids = options.models.length ? options.models : ['double-model'];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: ids.map((id) => ({ id, object: 'model', created: 1677610602, owned_by: 'openai' })),
        }),
      );
      return;
    }
    const kinds: [string, string][] = [
      ['/chat/completions', 'chat'],
      ['/completions', 'completions'],
      ['/embeddings', 'embeddings'],
      ['/responses', 'responses'],
    ];
    const kind = kinds.find(([suffix]) => path.endsWith(suffix))?.[1];
    if (req.method === 'POST' && kind) return inference(kind, req, res, body);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ detail: 'Not Found' }));
  });
  server.keepAliveTimeout = 5_000; // uvicorn's default
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    options,
    requests,
    next: (b) => queue.push(b),
    get gated() {
      return state.gated;
    },
    get abortedStreams() {
      return state.abortedStreams;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
