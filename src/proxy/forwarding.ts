import { UnsupportedParameterError } from './errors.ts';

/**
 * What of a client's request may reach LiteLLM. LiteLLM acts on much more than OpenAI's API: the
 * query string (`model` there overrides the body's), top-level body fields that pick a backend, a
 * price or a canned answer, and headers that set tags, timeouts or the end user. A gateway that
 * copies the request forwards all of it with Tollgate's own credential, so nothing is copied: the
 * upstream request is built from the lists below. docs/security.md ("Proxy forwarding") explains
 * each choice and the LiteLLM source it comes from.
 */

/**
 * Client query parameters a route forwards, by name. Empty on every route: LiteLLM takes `model`
 * (and `api-version`) from the query string before the body, so the upstream URL is the route's
 * own. A route that ever needs one (Azure's `api-version`) names it here, with a test.
 */
export const FORWARDED_QUERY_PARAMS: Readonly<Record<string, readonly string[]>> = {};

/** The upstream path for a client's request URL: the route's path plus only its allowlisted query parameters. */
export function upstreamPath(
  endpoint: string,
  clientUrl: string | undefined,
  allowed: Readonly<Record<string, readonly string[]>> = FORWARDED_QUERY_PARAMS,
): string {
  const names = allowed[endpoint];
  const at = clientUrl?.indexOf('?') ?? -1;
  if (!names?.length || at === -1) return endpoint;
  const client = new URLSearchParams(clientUrl!.slice(at + 1));
  const out = new URLSearchParams();
  for (const name of names) {
    const value = client.get(name);
    if (value !== null) out.set(name, value);
  }
  const query = out.toString();
  return query ? `${endpoint}?${query}` : endpoint;
}

const SAMPLING = ['temperature', 'top_p', 'frequency_penalty', 'presence_penalty', 'seed', 'stop'];

/**
 * OpenAI's documented request parameters per route, minus those in NOT_FORWARDED. `model` and
 * `user` are in every list but are replaced by the admitted model and end user (request.ts).
 */
export const FORWARDED_BODY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  '/v1/chat/completions': [
    'model',
    'messages',
    'user',
    ...SAMPLING,
    'audio',
    'function_call',
    'functions',
    'logit_bias',
    'logprobs',
    'top_logprobs',
    'max_tokens',
    'max_completion_tokens',
    'modalities',
    'n',
    'parallel_tool_calls',
    'prediction',
    'prompt_cache_key',
    'reasoning_effort',
    'response_format',
    'safety_identifier',
    'store',
    'stream',
    'stream_options',
    'tool_choice',
    'tools',
    'verbosity',
    'web_search_options',
  ],
  '/v1/completions': [
    'model',
    'prompt',
    'user',
    ...SAMPLING,
    'best_of',
    'echo',
    'logit_bias',
    'logprobs',
    'max_tokens',
    'n',
    'stream',
    'stream_options',
    'suffix',
  ],
  '/v1/embeddings': ['model', 'input', 'user', 'dimensions', 'encoding_format'],
  '/v1/responses': [
    'model',
    'input',
    'user',
    'temperature',
    'top_p',
    'include',
    'instructions',
    'max_output_tokens',
    'max_tool_calls',
    'parallel_tool_calls',
    'previous_response_id',
    'conversation',
    'prompt_cache_key',
    'reasoning',
    'safety_identifier',
    'store',
    'stream',
    'stream_options',
    'text',
    'tool_choice',
    'tools',
    'top_logprobs',
    'truncation',
  ],
};

/**
 * OpenAI parameters a client may send that are accepted but not forwarded, with the reason.
 * `metadata` is OpenAI's free-form map, but LiteLLM reads its own controls out of it (tags,
 * guardrails, spend_logs_metadata, user_api_key_*: litellm/proxy/litellm_pre_call_utils.py).
 */
export const DROPPED_BODY_FIELDS: Readonly<Record<string, string>> = {
  metadata: 'LiteLLM reads routing tags, guardrail switches and spend attribution from it',
};

/**
 * OpenAI parameters refused (400) on every route, extra routes included, because the gateway
 * cannot bill them right: the price Tollgate charges is the admitted model's per-token price.
 */
export const NOT_FORWARDED: Readonly<Record<string, string>> = {
  service_tier: "a tier ('priority') is billed by the provider above the admitted model's price",
  background: 'a background response finishes after the request, so its usage is never seen',
};

/** Why a documented OpenAI parameter is missing from one route's list (the 400 says so). */
const NOT_FORWARDED_ON_ROUTE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '/v1/responses': { prompt: 'a stored prompt template can carry its own model and settings' },
};

/**
 * Top-level body fields LiteLLM acts on, from its source: `all_litellm_params` (litellm/types/utils.py),
 * the fields `add_litellm_data_to_request` reads or strips (litellm/proxy/litellm_pre_call_utils.py),
 * `user_config` (a client-built Router: litellm/proxy/route_llm_request.py) and the kwargs of
 * `completion()` (litellm/main.py). None is on a route's allowlist; on a PROXY_EXTRA_ROUTES route,
 * which has no allowlist, these and the prefixes below are refused. Each has a test.
 */
export const LITELLM_CONTROL_FIELDS: readonly string[] = [
  // routing, backend and credentials
  'api_base',
  'base_url',
  'api_key',
  'api_version',
  'api_type',
  'organization',
  'custom_llm_provider',
  'deployment_id',
  'model_list',
  'user_config',
  'model_info',
  'base_model',
  'hf_model_name',
  'region_name',
  'allowed_model_region',
  'model_group',
  'specific_deployment',
  'use_litellm_proxy',
  'use_in_pass_through',
  'azure',
  'azure_ad_token',
  'azure_ad_token_provider',
  'azure_username',
  'azure_password',
  'azure_scope',
  'tenant_id',
  'client_id',
  'client_secret',
  'configurable_clientside_auth_params',
  // price
  'input_cost_per_token',
  'output_cost_per_token',
  'input_cost_per_second',
  'output_cost_per_second',
  'max_budget',
  'budget_duration',
  // fallbacks, retries, timeouts
  'fallbacks',
  'context_window_fallback_dict',
  'fastest_response',
  'disable_fallbacks',
  'max_fallbacks',
  'fallback_depth',
  'num_retries',
  'max_retries',
  'retry_policy',
  'retry_strategy',
  'timeout',
  'request_timeout',
  'stream_timeout',
  'force_timeout',
  'cooldown_time',
  'rpm',
  'tpm',
  'max_parallel_requests',
  'weight',
  'order',
  // canned answers
  'mock_response',
  'mock_tool_calls',
  'mock_timeout',
  'mock_delay',
  'mock_testing_fallbacks',
  'mock_testing_context_fallbacks',
  'mock_testing_content_policy_fallbacks',
  'mock_testing_rate_limit_error',
  // metadata, tags, logging, callbacks
  'metadata',
  'litellm_metadata',
  'tags',
  'spend_logs_metadata',
  'proxy_server_request',
  'standard_logging_object',
  'secret_fields',
  'success_callback',
  'failure_callback',
  'callbacks',
  'logger_fn',
  'verbose',
  'no-log',
  'turn_off_message_logging',
  'litellm_disabled_callbacks',
  'langfuse_public_key',
  'langfuse_secret',
  'langfuse_secret_key',
  'langfuse_host',
  'langsmith_api_key',
  'langsmith_project',
  'langsmith_base_url',
  'gcs_bucket_name',
  'gcs_path_service_account',
  // guardrails
  'guardrails',
  'guardrail_config',
  'disable_global_guardrails',
  'disable_global_guardrail',
  'opted_out_global_guardrails',
  'applied_guardrails',
  'applied_policies',
  'policy_sources',
  'pillar_response_headers',
  '_guardrail_pipelines',
  '_pipeline_managed_guardrails',
  // caching
  'cache',
  'caching',
  'caching_groups',
  'cache_key',
  'preset_cache_key',
  'ttl',
  // headers and request shaping
  'headers',
  'extra_headers',
  'extra_body',
  'extra_query',
  'provider_specific_header',
  'drop_params',
  'additional_drop_params',
  'allowed_openai_params',
  'ssl_verify',
  'client',
  'use_client',
  'id',
  // prompt management
  'prompt_id',
  'prompt_variables',
  'prompt_label',
  'prompt_version',
  'roles',
  'final_prompt_value',
  'bos_token',
  'eos_token',
  'custom_prompt_dict',
  'knowledge_bases',
  'vector_store_ids',
  'cache_control_injection_points',
];

/** Families of LiteLLM kwargs (provider credentials and LiteLLM internals), refused by prefix. */
export const LITELLM_CONTROL_PREFIXES: readonly string[] = [
  'litellm_',
  'mock_',
  'aws_',
  'vertex_',
  'azure_',
  'watsonx_',
  'user_api_key_',
];

const CONTROL_FIELDS = new Set(LITELLM_CONTROL_FIELDS);

export function isLiteLLMControlField(name: string): boolean {
  return CONTROL_FIELDS.has(name) || LITELLM_CONTROL_PREFIXES.some((p) => name.startsWith(p));
}

/**
 * What to do with each top-level body field of one route. Built once per route at start-up;
 * `extraFields` is PROXY_EXTRA_BODY_FIELDS (provider parameters an operator allows everywhere).
 */
export interface BodyPolicy {
  /** Throws UnsupportedParameterError for the first field that may not be sent. */
  check(body: Record<string, unknown>): void;
  /** Copies the forwardable fields of a checked body. */
  pick(body: Record<string, unknown>): Record<string, unknown>;
}

export function bodyPolicy(endpoint: string, extraFields: readonly string[] = []): BodyPolicy {
  const listed = FORWARDED_BODY_FIELDS[endpoint];
  const allowed = listed ? new Set([...listed, ...extraFields]) : null;
  const reasons = { ...NOT_FORWARDED, ...NOT_FORWARDED_ON_ROUTE[endpoint] };
  const forwardable = (name: string) =>
    !(name in DROPPED_BODY_FIELDS) &&
    !(name in NOT_FORWARDED) &&
    (allowed ? allowed.has(name) : !isLiteLLMControlField(name));
  return {
    check(body) {
      for (const name of Object.keys(body)) {
        if (name in DROPPED_BODY_FIELDS || forwardable(name)) continue;
        throw new UnsupportedParameterError(name, reasons[name]);
      }
    },
    pick(body) {
      const out: Record<string, unknown> = {};
      for (const name of Object.keys(body)) if (forwardable(name)) out[name] = body[name];
      return out;
    },
  };
}

/**
 * Client headers forwarded as they came. Everything else is dropped: credentials, cookies,
 * `openai-organization` (LiteLLM forwards it as the provider organization), `x-forwarded-for`
 * (LiteLLM's requester IP), `cache-control` (its cache TTL), `anthropic-beta`/`anthropic-version`
 * (provider features priced differently), `traceparent`, and every `x-*` (LiteLLM reads
 * x-litellm-tags/-timeout/-num-retries/-spend-logs-metadata/-trace-id, x-<vendor>-session-id,
 * and with forward_client_headers_to_llm_api sends all x-* to the provider).
 */
export const FORWARDED_CLIENT_HEADERS: readonly string[] = ['accept', 'user-agent'];

/** Headers LiteLLM reads from a request, from its source; the tests prove none reaches it from a client. */
export const LITELLM_CONTROL_HEADERS: readonly string[] = [
  'authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'litellm-key',
  'x-litellm-api-key',
  'x-litellm-end-user-id',
  'x-litellm-customer-id',
  'x-litellm-tags',
  'x-litellm-timeout',
  'x-litellm-stream-timeout',
  'x-litellm-num-retries',
  'x-litellm-spend-logs-metadata',
  'x-litellm-trace-id',
  'x-litellm-session-id',
  'x-litellm-agent-id',
  'x-claude-code-session-id',
  'litellm-disable-message-redaction',
  'openai-organization',
  'x-forwarded-for',
  'x-real-ip',
  'cache-control',
  'anthropic-beta',
  'anthropic-version',
  'traceparent',
  'cookie',
];

export interface UpstreamHeaderInput {
  credential: string;
  userId: string;
  requestId: string;
  bodyBytes: number | null;
}

/**
 * Upstream request headers: the allowlisted client headers, then ours — Tollgate's credential,
 * the admitted end user (`x-litellm-end-user-id`, LiteLLM's end-user source), the request id,
 * identity encoding (usage is read out of the body) and the body's type and length.
 */
export function upstreamHeaders(
  client: Record<string, string | string[] | undefined>,
  opts: UpstreamHeaderInput,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED_CLIENT_HEADERS) {
    const value = client[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  out.authorization = `Bearer ${opts.credential}`;
  out['x-litellm-end-user-id'] = opts.userId;
  out['x-request-id'] = opts.requestId;
  out['accept-encoding'] = 'identity';
  if (opts.bodyBytes !== null) {
    out['content-type'] = 'application/json';
    out['content-length'] = String(opts.bodyBytes);
  }
  return out;
}

/** The names `upstreamHeaders` may send: the suite asserts the upstream double saw no other. */
export const UPSTREAM_HEADER_NAMES: readonly string[] = [
  ...FORWARDED_CLIENT_HEADERS,
  'authorization',
  'x-litellm-end-user-id',
  'x-request-id',
  'accept-encoding',
  'content-type',
  'content-length',
];
