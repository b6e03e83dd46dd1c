// The normalised configuration every other module reads. The loader turns LiteLLM YAML into this.
import type { Endpoint } from '../contract/job-names.ts';
import type { ErrorType } from '../errors/taxonomy.ts';

export type { Endpoint };

export type ProviderKind =
  | 'openai'
  | 'azure'
  | 'anthropic'
  | 'gemini'
  | 'vertex_ai'
  | 'bedrock'
  | 'cohere'
  | 'ollama'
  | 'ollama_chat';

/** Google Vertex AI: where the model runs and who calls it (LiteLLM `vertex_*` params). */
export interface VertexSettings {
  project: string;
  location: string;
  /** Service-account JSON text or a path to it; absent means Application Default Credentials. Secret. */
  credentials?: string;
}

/** AWS Bedrock: region and static credentials; without keys the AWS default credential chain is used. */
export interface AwsSettings {
  region: string;
  /** Secrets, like apiKey: never logged, never written to Redis or job data. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** A named profile of the shared AWS config/credentials files (LiteLLM `aws_profile_name`), used without keys. */
  profile?: string;
  /**
   * A role assumed through STS with the credentials above (keys, profile or the default chain): LiteLLM's
   * `aws_role_name` (the role ARN), `aws_session_name` (default `switchyard`), `aws_sts_endpoint`.
   */
  role?: { arn: string; sessionName: string; stsEndpoint?: string };
}

export interface ModelInfo {
  /** USD per input / output token (LiteLLM `input_cost_per_token`, `output_cost_per_token`). */
  inputCostPerToken?: number;
  outputCostPerToken?: number;
  /** LiteLLM's unit prices for non-text endpoints: per image, per audio second, per character, per query. */
  outputCostPerImage?: number;
  inputCostPerSecond?: number;
  inputCostPerCharacter?: number;
  inputCostPerQuery?: number;
  maxInputTokens?: number;
  maxOutputTokens?: number;
  maxTokens?: number;
  baseModel?: string;
  mode?: string;
  /** Explicit capabilities (`supports_vision`, `supports_function_calling`); unset means unknown. */
  supportsVision?: boolean;
  supportsFunctionCalling?: boolean;
  /** `model_info.health_check_timeout`, seconds. */
  healthCheckTimeoutSec?: number;
}

/** LiteLLM's `general_settings` health-check keys. */
export interface HealthSettings {
  /** `background_health_checks`: one process of the fleet checks every deployment each interval. */
  background: boolean;
  /** `health_check_interval` in ms (default 300 s). */
  intervalMs: number;
  /** `enable_health_check_routing`: skip deployments whose last check failed (never all of a group). */
  routing: boolean;
}

export interface Deployment {
  /** model_info.id, else a stable hash of model_name + litellm_params (same on every worker). */
  id: string;
  /** model_name: the group this deployment serves. */
  modelGroup: string;
  provider: ProviderKind;
  /** Provider-side model name without prefix (for Azure: the deployment name in the URL path). */
  model: string;
  /** Full `litellm_params.model` as written, e.g. `azure/gpt-4o-eu`. */
  litellmModel: string;
  /** Base URL without trailing slash; provider default when not configured. */
  apiBase: string;
  /** Resolved secret; never logged, never written to Redis or job data. */
  apiKey?: string;
  apiVersion?: string;
  /** Set for `vertex_ai/` deployments. */
  vertex?: VertexSettings;
  /** Set for `bedrock/` deployments. */
  aws?: AwsSettings;
  /** Per-deployment request timeout in ms. */
  timeoutMs?: number;
  /** Streaming calls: time allowed until the first chunk (LiteLLM `stream_timeout`), in ms. */
  streamTimeoutMs?: number;
  rpm?: number;
  tpm?: number;
  weight?: number;
  maxParallelRequests?: number;
  order?: number;
  tags: string[];
  /**
   * `litellm_params.tag_regex`, compiled: a request whose `User-Agent: <metadata.user_agent>` one of them
   * matches is routed here as if it carried a matching tag (strategies/tags.ts).
   */
  tagRegex?: readonly RegExp[];
  /** Per-deployment retry count (litellm_params.num_retries / max_retries). */
  numRetries?: number;
  /** Per-deployment cooldown seconds (litellm_params, else model_info); 0 disables cooldown of this deployment. */
  cooldownTimeSec?: number;
  /**
   * `model_info.allowed_fails` / `allowed_fails_policy`: when either is set, this deployment cools by its own
   * per-minute failure count instead of the router's rule (planner/cooldown.ts).
   */
  allowedFails?: number;
  allowedFailsPolicy?: AllowedFailsPolicy;
  info: ModelInfo;
  /**
   * Extra litellm_params forwarded to the provider body (e.g. temperature), secrets excluded, with the
   * router's `default_litellm_params` under them.
   */
  extraParams: Record<string, unknown>;
  /** LiteLLM `drop_params`: parameters this provider lacks are dropped instead of refused. */
  dropParams?: boolean;
  /**
   * `litellm_params.mock_response`: every call answers this content in the endpoint's shape (or raises the
   * error it names) and no provider is called; routing, limits, outcomes and cooldowns are as for any call.
   */
  mockResponse?: string;
  /** `litellm_params.max_budget` / `budget_duration`: this deployment's spend cap. */
  budget?: BudgetLimit;
  /**
   * A bare `model: "*"` deployment (LiteLLM's "all models"): where each provider prefix a requested name may
   * carry is served (`anthropic/claude-…`, `groq/…`; bare `claude*` is Anthropic's), as LiteLLM infers the
   * provider from the model name. Built from the environment at load; secrets, like apiKey.
   */
  passThrough?: Readonly<Record<string, PassThroughTarget>>;
}

/** One provider a bare `*` deployment can reach. */
export interface PassThroughTarget {
  provider: ProviderKind;
  apiBase: string;
  apiKey?: string;
  apiVersion?: string;
}

/** A spend cap in USD over a period (LiteLLM's `provider_budget_config`, `max_budget` + `budget_duration`). */
export interface BudgetLimit {
  limit: number;
  /** The period as written (`1d`) and in ms; absent: the budget never resets. */
  period?: { text: string; ms: number };
}

/** One retry-policy entry after normalising every form users copy from LiteLLM docs. */
export interface RetryRule {
  maxRetries: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  backoffFactor?: number;
  /** 0..1, share of the delay randomised. */
  jitter?: number;
}

/**
 * Rules per error type; `default` is the router-wide form `{max_retries, base_delay, …}`: the retry count
 * for every retried type without its own rule, and the backoff of every rule that sets none.
 */
export type RetryPolicy = Partial<Record<ErrorType, RetryRule>> & { default?: RouterWideRule };

/** The router-wide rule: without `max_retries` it only sets the backoff. */
export type RouterWideRule = Omit<RetryRule, 'maxRetries'> & { maxRetries?: number };
export type AllowedFailsPolicy = Partial<Record<ErrorType, number>>;
export type FallbackMap = Record<string, string[]>;

export type RoutingStrategyName =
  | 'simple-shuffle'
  | 'least-busy'
  | 'usage-based-routing'
  | 'usage-based-routing-v2'
  | 'latency-based-routing'
  | 'cost-based-routing';

export interface RouterSettings {
  routingStrategy: RoutingStrategyName;
  /** Path of a module exporting a custom strategy (`custom_routing_strategy`); overrides routingStrategy. */
  customStrategyPath?: string;
  routingStrategyArgs: Record<string, unknown>;
  numRetries: number;
  /** Minimum seconds before a retry (LiteLLM `retry_after`). */
  retryAfterSec: number;
  retryPolicy: RetryPolicy;
  modelGroupRetryPolicy: Record<string, RetryPolicy>;
  allowedFails: number;
  /**
   * True when `allowed_fails` was written in the config. Then transient failures cool a deployment by
   * LiteLLM's legacy per-minute counter; otherwise by its failure-rate rule (> 50 % of ≥ 5 requests).
   */
  allowedFailsSet?: boolean;
  allowedFailsPolicy: AllowedFailsPolicy;
  cooldownTimeSec: number;
  disableCooldowns: boolean;
  fallbacks: FallbackMap;
  defaultFallbacks: string[];
  contextWindowFallbacks: FallbackMap;
  contentPolicyFallbacks: FallbackMap;
  maxFallbacks: number;
  /** Router-wide request timeout in ms. */
  timeoutMs: number;
  /** Router-wide time to first chunk of a streaming call (`stream_timeout`), in ms. */
  streamTimeoutMs?: number;
  enablePreCallChecks: boolean;
  /** Response cache (LiteLLM `cache` / `cache_responses`); absent when off. */
  cache?: CacheSettings;
  /** `model_group_routing_strategy`: groups routed by another strategy than `routingStrategy`. */
  modelGroupRoutingStrategy?: Record<string, RoutingStrategyName>;
  defaultMaxParallelRequests?: number;
  modelGroupAlias: Record<string, string>;
  /** `provider_budget_config`, keyed by LiteLLM's provider name (`openai`, `azure`, `groq`, …). */
  providerBudgets?: Record<string, BudgetLimit>;
  /** Aliases written `{model, hidden: true}`: routed, but not listed by `GET /v1/models`. */
  hiddenAliases?: string[];
}

export interface CacheSettings {
  ttlSec: number;
  namespace?: string;
  /** `redis`: the workers' Redis, shared by all; `local`: each worker process's own memory. */
  type: 'redis' | 'local';
  /** `caching_groups`: groups that share cached answers, each list's first name keys the entry. */
  groups: string[][];
}

/** Where Redis is when `REDIS_URL` is not set: the config's `redis_url` or `redis_host`/`_port`/`_password`. */
export interface RedisSettings {
  /** Connection URL, password included: never log it, log `displayUrl`. */
  url: string;
  /** The URL with the password replaced by `***`. */
  displayUrl: string;
  /** The config keys it came from, for the start-up line. */
  source: string;
}

/** Switchyard's own settings (top-level `switchyard_settings:` in the YAML). */
export interface SwitchyardSettings {
  queueName: string;
  /** BullMQ key prefix when not BullMQ's default (`bull`); producers must use the same. */
  queuePrefix?: string;
  /** BullMQ queues one logical queue is spread over (`queue_shards`, default 1); see contract/queue-shards.ts. */
  queueShards: number;
  /** Seconds finished jobs are kept so late readers can fetch results by id. */
  resultTtlSec: number;
  /** Upper bound on a job's whole life across retries, fallbacks and pacing, in ms. */
  jobDeadlineMs?: number;
  /** BullMQ lock duration; a crashed worker's jobs return to the queue after about this long. */
  lockDurationMs: number;
  /** Whether jobs may carry LiteLLM's mock_response / mock_testing_* (testing only). */
  allowMockParams: boolean;
  /** Cap on a request's own `num_retries`. */
  maxRequestRetries: number;
  /** Larger answers are not written to the response cache. */
  cacheMaxEntryBytes: number;
  /** Bytes of audio a job may carry in (uploads) or get back (speech). */
  maxAudioBytes: number;
  /**
   * Runtime model changes survive a restart with the file (true), or a process started with a model_list
   * that differs from the one last seeded replaces them (false, the default).
   */
  storeModelInDb?: boolean;
  /** Prometheus metrics without naming `prometheus` in a LiteLLM callback list (`switchyard_settings.metrics`). */
  metrics: boolean;
  /** Job-outcome events go to the capped Redis Stream (`switchyard_settings.events`). */
  events: boolean;
  /** Entries the event stream keeps (`events_max_len`). */
  eventsMaxLen: number;
  /** Events a callback sink may hold while it is slow; more are dropped and counted (`callback_buffer_size`). */
  callbackBufferSize: number;
  /** Entries kept in a streaming job's Redis Stream (XADD MAXLEN). */
  streamMaxEntries: number;
  /** Quota lease: reservations one routing call may take for a deployment's next jobs (1 = off). */
  leaseUnits: number;
  /** Quota lease: ms spare reservations wait for a job before they are given back. */
  leaseTtlMs: number;
}

/** A callback that receives outcome events: a webhook (`generic_api` or a URL) or a module. */
export type CallbackSink = (
  | { kind: 'webhook'; url: string; headers: Record<string, string> }
  | { kind: 'module'; path: string }
) & {
  /** Names the sink in logs and the drop metric: `generic_api`, `webhook:<host>`, the module's file name. */
  name: string;
  /** Receives success events (`success_callback`, `callbacks`). */
  success: boolean;
  /** Receives failure, fallback and cooldown events (`failure_callback`, `callbacks`). */
  failure: boolean;
};

/** What LiteLLM's callback lists (`success_callback`, `failure_callback`, `callbacks`) ask Switchyard to run. */
export interface CallbackSettings {
  /** `prometheus` is in a list. */
  prometheus: boolean;
  /** `otel` is in a list: workers and the gateway emit OpenTelemetry spans (and export them if they can). */
  otel: boolean;
  /** Each sink once, whichever lists name it. */
  sinks: CallbackSink[];
  /**
   * `litellm_settings.require_auth_for_metrics_endpoint` as written; unset means Switchyard's default
   * (the gateway's `/metrics` needs the master key or a read-only key when the gateway has keys).
   */
  requireAuthForMetrics?: boolean;
}

export interface SwitchyardConfig {
  deployments: Deployment[];
  router: RouterSettings;
  switchyard: SwitchyardSettings;
  callbacks: CallbackSettings;
  /** Redis named in router_settings; used only when REDIS_URL is not set (then it is absent). */
  redis?: RedisSettings;
  /** `general_settings` health-check keys, when any is written. */
  health?: HealthSettings;
  /** `general_settings.master_key`: the gateway's admin key (also a valid API key). Never logged. */
  masterKey?: string;
  /** Unsupported keys found while loading, gathered for one warning. */
  warnings: string[];
  /**
   * The file's model_list as written (index-aligned with `deployments`), the router's defaults, and what the
   * file gives every entry it builds: `environment_variables` (over the process env, for `os.environ/`) and
   * `credential_list`. Maps, so a dump of the config never prints their values; never written to Redis.
   */
  modelListSource?: {
    entries: readonly unknown[];
    defaults: DeploymentDefaults;
    environment?: ReadonlyMap<string, string>;
    credentials?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  };
}

/** Router-wide request defaults every deployment gets under its own (runtime deployments too). */
export interface DeploymentDefaults {
  extraParams: Record<string, unknown>;
  dropParams?: boolean;
}
