// LiteLLM's Prometheus metric names, label names and buckets (litellm/integrations/prometheus.py and
// litellm/types/integrations/prometheus.py), so LiteLLM's Grafana dashboards query our series unchanged.
// prometheus_client appends `_total` to counters; prom-client does not, so counter names carry it here.

/** LATENCY_BUCKETS in seconds (LiteLLM's, without +Inf, which prom-client adds). */
export const LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 420, 600,
];

/** Labels of a deployment (LiteLLM's litellm_deployment_state / _tpm_limit label set). */
export const DEPLOYMENT_LABELS = ['litellm_model_name', 'model_id', 'api_base', 'api_provider'] as const;

/** litellm_deployment_total_requests / _success_responses (the ones Switchyard can fill). */
export const DEPLOYMENT_REQUEST_LABELS = ['requested_model', ...DEPLOYMENT_LABELS] as const;

/** litellm_deployment_failure_responses. */
export const DEPLOYMENT_FAILURE_LABELS = [
  ...DEPLOYMENT_REQUEST_LABELS,
  'exception_status',
  'exception_class',
] as const;

/** litellm_deployment_cooled_down. */
export const COOLED_DOWN_LABELS = [...DEPLOYMENT_LABELS, 'exception_status'] as const;

/** litellm_deployment_successful_fallbacks / _failed_fallbacks. */
export const FALLBACK_LABELS = [
  'requested_model',
  'fallback_model',
  'exception_status',
  'exception_class',
  'model_id',
] as const;

/** litellm_llm_api_latency_metric, _time_to_first_token_metric, token counters. */
export const MODEL_LABELS = ['model', 'requested_model', 'model_id'] as const;

/** litellm_spend_metric. */
export const SPEND_LABELS = ['model', 'model_id', 'api_provider'] as const;

/** litellm_remaining_requests_metric / _tokens_metric. */
export const REMAINING_LABELS = [
  'model_group',
  'api_provider',
  'api_base',
  'litellm_model_name',
  'model_id',
] as const;

/** LiteLLM's litellm_deployment_state values. */
export const DEPLOYMENT_STATE = { healthy: 0, partialOutage: 1, outage: 2 } as const;
