// zod schemas for a LiteLLM config.yaml plus `switchyard_settings`. Sections are parsed one by one so every
// problem is reported at once; keys a schema does not know become warnings (see unsupported-keys.ts).
import { z } from 'zod';
import { DEFAULT_MAX_AUDIO_BYTES } from '../contract/endpoints.ts';
import {
  boolean,
  duration,
  expected,
  identifier,
  mapping,
  nonNegativeInt,
  nonNegativeNumber,
  positiveInt,
  positiveNumber,
  text,
  textList,
} from './fields.ts';
import type { RoutingStrategyName } from './types.ts';

/** Metadata read by the unsupported-key walker: the key is accepted but only warned about. */
export interface KeyNote {
  warning: string;
}

function noted<T extends z.ZodType>(schema: T, warning: string): T {
  return schema.meta({ warning } satisfies KeyNote);
}

export const ROUTING_STRATEGIES = [
  'simple-shuffle',
  'least-busy',
  'usage-based-routing',
  'usage-based-routing-v2',
  'latency-based-routing',
  'cost-based-routing',
] as const satisfies readonly RoutingStrategyName[];

/** `custom` means the module named by `custom_routing_strategy` (router-wide). */
const ROUTING_STRATEGY_NAMES = [...ROUTING_STRATEGIES, 'custom'] as const;

/**
 * LiteLLM's prices, accepted in `litellm_params` and in `model_info` alike (the former wins): per token, and the
 * unit prices of images, audio, speech and rerank (routing.cost of those endpoints).
 */
export const PRICE_FIELDS = {
  input_cost_per_token: nonNegativeNumber().optional(),
  output_cost_per_token: nonNegativeNumber().optional(),
  output_cost_per_image: nonNegativeNumber().optional(),
  input_cost_per_second: nonNegativeNumber().optional(),
  input_cost_per_character: nonNegativeNumber().optional(),
  input_cost_per_query: nonNegativeNumber().optional(),
};

/** `litellm_params` is loose: keys outside this shape are provider parameters or warnings (deployment.ts). */
export const litellmParamsSchema = z.looseObject(
  {
    model: text(),
    custom_llm_provider: text().optional(),
    api_base: text().optional(),
    api_key: text().optional(),
    api_version: text().optional(),
    timeout: positiveNumber().optional(),
    stream_timeout: positiveNumber().optional(),
    rpm: nonNegativeInt().optional(),
    tpm: nonNegativeInt().optional(),
    weight: nonNegativeNumber().optional(),
    max_parallel_requests: positiveInt().optional(),
    order: nonNegativeInt().optional(),
    tags: textList().optional(),
    // Patterns matched against "User-Agent: <the caller's>" (config/tag-regex.ts, strategies/tags.ts).
    tag_regex: textList().optional(),
    num_retries: nonNegativeInt().optional(),
    max_retries: nonNegativeInt().optional(),
    cooldown_time: nonNegativeNumber().optional(),
    ...PRICE_FIELDS,
    base_model: text().optional(),
    drop_params: boolean().optional(),
    // A spend cap on this deployment in USD, per budget_duration (none: never resets).
    max_budget: nonNegativeNumber().optional(),
    budget_duration: duration().optional(),
    // Provider credentials and placement (vertex_ai/, bedrock/); os.environ/ references are resolved.
    vertex_project: text().optional(),
    vertex_location: text().optional(),
    vertex_credentials: z
      .union([text(), mapping()], { error: expected('service-account JSON, a path to it, or a mapping') })
      .optional(),
    aws_access_key_id: text().optional(),
    aws_secret_access_key: text().optional(),
    aws_session_token: text().optional(),
    aws_region_name: text().optional(),
    aws_profile_name: text().optional(),
    aws_role_name: text().optional(),
    aws_session_name: text().optional(),
    aws_sts_endpoint: text().optional(),
    // LiteLLM's deployment-level mock: every call to this deployment answers this content (or raises the
    // error it names, `litellm.RateLimitError`) without a provider call.
    mock_response: text().optional(),
    // A credential_list entry whose values fill the params left unset here (credentials.ts).
    litellm_credential_name: text().optional(),
  },
  { error: expected('a mapping') },
);

/** `model_info`: keys Switchyard reads; anything else is warned about (nothing is kept silently). */
export const modelInfoSchema = z.object(
  {
    id: identifier().optional(),
    ...PRICE_FIELDS,
    max_input_tokens: positiveInt().optional(),
    max_output_tokens: positiveInt().optional(),
    max_tokens: positiveInt().optional(),
    base_model: text().optional(),
    mode: text().optional(),
    order: nonNegativeInt().optional(),
    // LiteLLM's third lookup location for limits (after the entry's top level and litellm_params).
    rpm: nonNegativeInt().optional(),
    tpm: nonNegativeInt().optional(),
    // LiteLLM's A/B example puts the shuffle weight here (the Router page's first example).
    weight: nonNegativeNumber().optional(),
    // Capabilities read by the pre-call checks when a request carries images or tools.
    supports_vision: boolean().optional(),
    supports_function_calling: boolean().optional(),
    // Seconds a health check of this deployment may take (LiteLLM's default 60).
    health_check_timeout: positiveNumber().optional(),
    // LiteLLM's per-deployment cooldown overrides of the router's (planner/cooldown.ts).
    allowed_fails: nonNegativeInt().optional(),
    allowed_fails_policy: mapping().optional(),
    cooldown_time: nonNegativeNumber().optional(),
  },
  { error: expected('a mapping') },
);

export const modelEntrySchema = z.object(
  {
    model_name: text(),
    litellm_params: litellmParamsSchema,
    model_info: modelInfoSchema.optional(),
    // Legacy location; LiteLLM copies them into litellm_params when absent there.
    rpm: nonNegativeInt().optional(),
    tpm: nonNegativeInt().optional(),
  },
  { error: expected('a mapping') },
);

/** LiteLLM's fallback lists: `[{gpt-4: [gpt-3.5]}, …]`, one key per item (`*` = every group). */
const fallbackList = () =>
  z.array(
    z
      .record(z.string(), textList(), { error: expected('a mapping of one model group to its fallbacks') })
      .refine((item) => Object.keys(item).length === 1, { error: 'each item must have exactly one key' }),
    { error: expected('a list of {group: [fallbacks]} items') },
  );

/**
 * `fallbacks` also takes a plain list of names (the Router API reference's form): fallbacks for every group,
 * read as the wildcard source `[{"*": [names]}]`.
 */
const fallbacksField = () =>
  z.preprocess(
    (value) =>
      Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')
        ? [{ '*': value }]
        : value,
    fallbackList(),
  );

/** LiteLLM's callback names are integrations (langfuse, sentry, prometheus, …) or Python objects. */
const callbackList = () => z.union([text().transform((name) => [name]), textList()]);

/** `cache_params` / `cache_kwargs`: where answers are cached, for how long, under which key prefix. */
function cacheParams() {
  return z.object(
    {
      type: z
        .enum(['redis', 'local'], { error: expected('redis or local (the caches Switchyard has)') })
        .optional(),
      ttl: positiveNumber().optional(),
      namespace: text().optional(),
    },
    { error: expected('a mapping') },
  );
}

const aliasTarget = z.union([text(), z.object({ model: text(), hidden: boolean().optional() })], {
  error: expected('a model group name or {model, hidden}'),
});

/** Shared by `router_settings` and `litellm_settings`; router_settings wins when both set a key. */
export const routerSettingsSchema = z.object(
  {
    routing_strategy: z
      .enum(ROUTING_STRATEGY_NAMES, { error: expected(`one of ${ROUTING_STRATEGY_NAMES.join(', ')}`) })
      .optional(),
    // Switchyard's key: one strategy per group (LiteLLM needs one Router per strategy for this).
    model_group_routing_strategy: z
      .record(
        z.string(),
        z.enum(ROUTING_STRATEGIES, { error: expected(`one of ${ROUTING_STRATEGIES.join(', ')}`) }),
        { error: expected('a mapping of model group to routing strategy') },
      )
      .optional(),
    routing_strategy_args: mapping().optional(),
    custom_routing_strategy: text().optional(),
    num_retries: nonNegativeInt().optional(),
    retry_after: nonNegativeNumber().optional(),
    retry_policy: mapping().optional(),
    model_group_retry_policy: z.record(z.string(), mapping(), { error: expected('a mapping') }).optional(),
    allowed_fails: nonNegativeInt().optional(),
    allowed_fails_policy: mapping().optional(),
    cooldown_time: nonNegativeNumber().optional(),
    disable_cooldowns: boolean().optional(),
    fallbacks: fallbacksField().optional(),
    default_fallbacks: textList().optional(),
    context_window_fallbacks: fallbackList().optional(),
    content_policy_fallbacks: fallbackList().optional(),
    max_fallbacks: nonNegativeInt().optional(),
    timeout: positiveNumber().optional(),
    request_timeout: positiveNumber().optional(),
    stream_timeout: positiveNumber().optional(),
    enable_pre_call_checks: boolean().optional(),
    // Response caching: `litellm_settings.cache: true` or `router_settings.cache_responses: true`.
    cache: boolean().optional(),
    cache_responses: boolean().optional(),
    cache_params: cacheParams().optional(),
    // The Router's own name for the same settings (Router(cache_kwargs=…)).
    cache_kwargs: cacheParams().optional(),
    // Groups that answer the same prompt alike and so share cached answers.
    caching_groups: z
      .array(z.array(text()).min(2, { error: expected('a list of at least two model groups') }), {
        error: expected('a list of lists of model groups'),
      })
      .optional(),
    // Request parameters every call gets unless the deployment or the request sets them.
    default_litellm_params: mapping().optional(),
    drop_params: boolean().optional(),
    enable_tag_filtering: noted(
      boolean().optional(),
      'not needed: tag routing is always on (metadata.tags, tag_regex)',
    ),
    client_ttl: noted(
      z.unknown().optional(),
      'no meaning for Switchyard (it keeps no SDK clients to cache), ignored',
    ),
    set_verbose: noted(z.unknown().optional(), 'ignored; set LOG_LEVEL=debug for verbose logs'),
    success_callback: callbackList().optional(),
    failure_callback: callbackList().optional(),
    callbacks: callbackList().optional(),
    // LiteLLM's proxy key; Switchyard's default differs (true): see docs/configuration.md.
    require_auth_for_metrics_endpoint: boolean().optional(),
    default_max_parallel_requests: positiveInt().optional(),
    model_group_alias: z.record(z.string(), aliasTarget, { error: expected('a mapping') }).optional(),
    // Spend caps per provider (`openai: {budget_limit: 100, time_period: 1d}`), exact across workers.
    provider_budget_config: z
      .record(
        z.string(),
        z.object(
          { budget_limit: nonNegativeNumber(), time_period: duration() },
          { error: expected('{budget_limit, time_period}') },
        ),
        { error: expected('a mapping of provider to {budget_limit, time_period}') },
      )
      .optional(),
    // Used when REDIS_URL is not set (redis-settings.ts); resolved only then.
    redis_url: text().optional(),
    redis_host: text().optional(),
    redis_port: positiveInt().optional(),
    redis_password: text().optional(),
    // LiteLLM's Redis Cluster form: [{host, port}] (port may be a string), or "host:port" strings.
    redis_startup_nodes: z.array(z.unknown(), { error: expected('a list of {host, port}') }).optional(),
  },
  { error: expected('a mapping') },
);

export const REDIS_KEYS: ReadonlySet<string> = new Set([
  'redis_url',
  'redis_host',
  'redis_port',
  'redis_password',
  'redis_startup_nodes',
]);

/** Keys whose `os.environ/` references are always resolved; the redis keys only when REDIS_URL is unset. */
export const RESOLVED_ROUTER_KEYS: ReadonlySet<string> = new Set(
  Object.keys(routerSettingsSchema.shape).filter((key) => !REDIS_KEYS.has(key)),
);

export const switchyardSettingsSchema = z.object(
  {
    queue_name: text().default('switchyard'),
    // BullMQ key prefix; producers must use the same one (BullMQ's default is `bull`).
    queue_prefix: text().optional(),
    // One logical queue spread over N BullMQ queues, each with its own hash tag (Redis Cluster: over nodes).
    queue_shards: positiveInt().default(1),
    result_ttl_seconds: nonNegativeInt().default(3600),
    job_deadline_seconds: positiveNumber().optional(),
    lock_duration_ms: positiveInt().default(30_000),
    // LiteLLM's mock_response / mock_testing_* are testing tools: a producer may not use them unless this is on.
    allow_mock_params: boolean().default(false),
    // Upper bound on a request's own `num_retries` (job data is untrusted input).
    max_request_retries: nonNegativeInt().default(10),
    // Answers larger than this are not cached (bounds what one request can make Redis hold).
    cache_max_entry_bytes: positiveInt().default(1_048_576),
    // Audio in (transcription uploads) and out (speech): OpenAI's own upload cap by default.
    max_audio_bytes: positiveInt().default(DEFAULT_MAX_AUDIO_BYTES),
    // LiteLLM's store_model_in_db: true keeps runtime model changes across restarts (the file only seeds an
    // empty store); false lets a process started with an edited model_list replace them.
    store_model_in_db: boolean().default(false),
    // Prometheus metrics on without LiteLLM's `success_callback: ["prometheus"]`.
    metrics: boolean().default(false),
    // Job-outcome events to a capped Redis Stream (documented key; `switchyard events tail`, client.events()).
    events: boolean().default(false),
    events_max_len: positiveInt().default(10_000),
    // What a slow callback sink may hold before events are dropped (and counted).
    callback_buffer_size: positiveInt().default(10_000),
    // Entries kept in a streaming job's Redis Stream (each a batch of chunks); older ones are trimmed.
    stream_max_entries: positiveInt().default(10_000),
    // Quota leases: reservations one routing call may take ahead for a deployment's next jobs (1 = off),
    // and how long unspent ones wait before they are given back.
    lease_units: positiveInt().default(16),
    lease_ttl_ms: positiveInt().default(100),
  },
  { error: expected('a mapping') },
);

/** LiteLLM proxy's health-check keys in `general_settings` (the other keys there are the proxy's own). */
export const healthSettingsSchema = z.object({
  background_health_checks: boolean().optional(),
  // Seconds between background rounds (LiteLLM's default 300).
  health_check_interval: positiveNumber().optional(),
  enable_health_check_routing: boolean().optional(),
});
export const HEALTH_KEYS: ReadonlySet<string> = new Set(Object.keys(healthSettingsSchema.shape));

/** Top level only; each section is parsed by its own schema so one bad section does not hide another. */
export const documentSchema = z.object(
  {
    model_list: z.array(z.unknown(), { error: expected('a list of deployments') }),
    router_settings: mapping().optional(),
    litellm_settings: mapping().optional(),
    general_settings: mapping().optional(),
    environment_variables: mapping().optional(),
    credential_list: z.array(z.unknown(), { error: expected('a list of credentials') }).optional(),
    switchyard_settings: mapping().optional(),
  },
  { error: expected('a mapping (the YAML document)') },
);

export type ModelEntry = z.output<typeof modelEntrySchema>;
export type RouterSettingsInput = z.output<typeof routerSettingsSchema>;
