// This process's own figures (a worker's calls, fallbacks, cooldowns, tokens, spend, waits), fed by the
// pipeline's observations. Counters only grow here; Prometheus sums them across workers.
// A call's label sets are built once per deployment, requested group and group (CallLabels) and their
// series found by identity (series.ts): per job the metrics are field writes, not label hashing.
import { DEFAULT_STATUS, parseFailedReason } from '@switchyard/core';
import { Registry } from 'prom-client';
import {
  fallsBack,
  type JobObservation,
  type ObservedDeployment,
  type ObservedError,
} from '../observation.ts';
import {
  COOLED_DOWN_LABELS,
  DEPLOYMENT_FAILURE_LABELS,
  DEPLOYMENT_LABELS,
  DEPLOYMENT_REQUEST_LABELS,
  DEPLOYMENT_STATE,
  FALLBACK_LABELS,
  LATENCY_BUCKETS,
  MODEL_LABELS,
  REMAINING_LABELS,
  SPEND_LABELS,
} from './litellm-names.ts';
import { CounterFamily, GaugeFamily, HistogramFamily } from './series.ts';

const THIS = 'This worker process.';

/** Bounded label values: an exception class is one of the taxonomy's names, a status a number or "". */
function exceptionLabels(err: ObservedError | undefined) {
  return {
    exception_status: err?.status === undefined ? '' : String(err.status),
    exception_class: err?.type ?? '',
  };
}

/** Every label set a call's series use: one object each, kept, so its series is found by identity. */
type CallLabels = ReturnType<typeof callLabels>;

function callLabels(d: ObservedDeployment, requestedGroup: string, group: string) {
  const deployment = {
    litellm_model_name: d.litellmModel,
    model_id: d.id,
    api_base: d.apiBase,
    api_provider: d.provider,
  };
  return {
    deployment,
    request: { requested_model: requestedGroup, ...deployment },
    model: { model: d.model, requested_model: requestedGroup, model_id: d.id },
    remaining: { model_group: group, ...deployment },
    spend: { model: d.model, model_id: d.id, api_provider: d.provider },
    requested: { requested_model: requestedGroup },
    finished: { requested_model: requestedGroup, model: d.model },
    ok: { requested_model: requestedGroup, status_code: '200' },
  };
}

export class ProcessMetrics {
  readonly registry: Registry;
  readonly #m;
  /** Deployments are built once per process (the worker keeps their observed form): label sets per one. */
  readonly #calls = new WeakMap<ObservedDeployment, Map<string, CallLabels>>();

  constructor(opts: { registry?: Registry; defaultLabels?: Record<string, string> } = {}) {
    this.registry = opts.registry ?? new Registry();
    if (opts.defaultLabels) this.registry.setDefaultLabels(opts.defaultLabels);
    const registry = this.registry;
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new CounterFamily<L>(name, `${help} ${THIS}`, labelNames, registry);
    const histogram = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      buckets?: number[],
    ) => new HistogramFamily<L>(name, `${help} ${THIS}`, labelNames, registry, buckets);
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new GaugeFamily<L>(name, `${help} ${THIS}`, labelNames, registry);
    this.#m = {
      total: counter(
        'litellm_deployment_total_requests_total',
        'LLM Deployment Analytics - Total number of LLM API calls - success + failure.',
        DEPLOYMENT_REQUEST_LABELS,
      ),
      success: counter(
        'litellm_deployment_success_responses_total',
        'LLM Deployment Analytics - Total number of successful LLM API calls.',
        DEPLOYMENT_REQUEST_LABELS,
      ),
      failure: counter(
        'litellm_deployment_failure_responses_total',
        'LLM Deployment Analytics - Total number of failed LLM API calls; exception_class is the taxonomy name.',
        DEPLOYMENT_FAILURE_LABELS,
      ),
      cooledDown: counter(
        'litellm_deployment_cooled_down_total',
        'LLM Deployment Analytics - Number of times this process cooled a deployment down.',
        COOLED_DOWN_LABELS,
      ),
      fallbackOk: counter(
        'litellm_deployment_successful_fallbacks_total',
        'LLM Deployment Analytics - Number of successful fallback requests from primary model -> fallback model.',
        FALLBACK_LABELS,
      ),
      fallbackFailed: counter(
        'litellm_deployment_failed_fallbacks_total',
        'LLM Deployment Analytics - Number of failed fallback requests from primary model -> fallback model.',
        FALLBACK_LABELS,
      ),
      state: gauge(
        'litellm_deployment_state',
        'LLM Deployment Analytics - The state of the deployment as this process last saw it: 0 = healthy, 1 = partial outage, 2 = complete outage.',
        DEPLOYMENT_LABELS,
      ),
      latencyPerToken: histogram(
        'litellm_deployment_latency_per_output_token',
        'LLM Deployment Analytics - Latency per output token (seconds).',
        DEPLOYMENT_LABELS,
      ),
      apiLatency: histogram(
        'litellm_llm_api_latency_metric',
        'Total latency (seconds) for a models LLM API call.',
        MODEL_LABELS,
        LATENCY_BUCKETS,
      ),
      ttft: histogram(
        'litellm_llm_api_time_to_first_token_metric',
        'Time to first token (seconds) for a models LLM API call (streaming calls).',
        MODEL_LABELS,
        LATENCY_BUCKETS,
      ),
      queueTime: histogram(
        'litellm_request_queue_time_seconds',
        'Time spent in the queue before the first attempt started (seconds).',
        ['requested_model'],
        LATENCY_BUCKETS,
      ),
      remainingRequests: gauge(
        'litellm_remaining_requests_metric',
        'Remaining requests for model, returned from the LLM API provider (x-ratelimit-remaining-requests), last seen by',
        REMAINING_LABELS,
      ),
      remainingTokens: gauge(
        'litellm_remaining_tokens_metric',
        'Remaining tokens for model, returned from the LLM API provider (x-ratelimit-remaining-tokens), last seen by',
        REMAINING_LABELS,
      ),
      spend: counter('litellm_spend_metric_total', 'Total spend (USD) on LLM requests.', SPEND_LABELS),
      tokens: counter(
        'litellm_total_tokens_metric_total',
        'Total number of input + output tokens from LLM requests.',
        MODEL_LABELS,
      ),
      inputTokens: counter(
        'litellm_input_tokens_metric_total',
        'Total number of input tokens from LLM requests.',
        MODEL_LABELS,
      ),
      outputTokens: counter(
        'litellm_output_tokens_metric_total',
        'Total number of output tokens from LLM requests.',
        MODEL_LABELS,
      ),
      cacheHits: counter(
        'litellm_cache_hits_metric_total',
        'Total number of requests (jobs) answered from the response cache.',
        ['model', 'requested_model', 'model_id'],
      ),
      cachedTokens: counter(
        'litellm_cached_tokens_metric_total',
        'Total number of tokens of the answers served from the response cache.',
        ['model', 'requested_model', 'model_id'],
      ),
      callbackFailures: counter(
        'litellm_callback_logging_failures_metric_total',
        'Total number of outcome events a callback sink (redis_stream, a module, a webhook) dropped: its buffer was full or its delivery failed.',
        ['callback_name'],
      ),
      retries: counter(
        'switchyard_job_retries_total',
        'Attempts retried in the same model group after a failure.',
        ['model_group', 'exception_class'],
      ),
      reenqueues: counter(
        'switchyard_job_reenqueues_total',
        'Jobs moved to delayed to wait (reason: backoff after a failure, or capacity when every deployment was at a limit or cooling).',
        ['model_group', 'reason'],
      ),
      capacityWait: histogram(
        'switchyard_capacity_wait_seconds',
        'How long a job was told to wait for capacity (seconds) when every deployment of its group was at a limit or cooling.',
        ['model_group', 'reason'],
        LATENCY_BUCKETS,
      ),
      // A job is what a client sent: LiteLLM's proxy-level request metrics count jobs, here at their end.
      requests: counter(
        'litellm_proxy_total_requests_metric_total',
        'Total number of requests (jobs) that ended after routing - success + failure; status_code 200 or the taxonomy status.',
        ['requested_model', 'status_code'],
      ),
      failedRequests: counter(
        'litellm_proxy_failed_requests_metric_total',
        'Total number of failed requests (jobs): the client did not get a success response.',
        ['requested_model', 'exception_status', 'exception_class'],
      ),
      requestLatency: histogram(
        'litellm_request_total_latency_metric',
        'Total latency (seconds) of a request (job): enqueued to its final answer, retries, fallbacks and waits included.',
        ['requested_model', 'model'],
        LATENCY_BUCKETS,
      ),
    };
  }

  /** The Observer: synchronous, in-memory counter updates only. */
  readonly observe = (o: JobObservation): void => {
    const m = this.#m;
    const call = o.kind === 'call' ? this.#callLabels(o) : undefined;
    if (o.firstActivation && o.attemptIndex === 0 && o.kind !== 'refused') {
      const queued = Math.max(0, o.activatedAtMs - o.enqueuedAtMs) / 1000;
      (call
        ? m.queueTime.kept(call.requested)
        : m.queueTime.labels({ requested_model: o.requestedGroup })
      ).observe(queued);
    }
    if (o.kind === 'call') this.#call(o, call!);
    if (o.kind === 'cache_hit') {
      const labels = { model: o.model, requested_model: o.requestedGroup, model_id: o.deploymentId };
      m.cacheHits.labels(labels).inc();
      if (o.usage) m.cachedTokens.labels(labels).inc(o.usage.totalTokens);
    }
    if (o.kind === 'saturated' && o.next.action === 'park') {
      m.reenqueues.labels({ model_group: o.group, reason: 'capacity' }).inc();
      m.capacityWait
        .labels({ model_group: o.group, reason: o.reason })
        .observe(Math.max(0, o.wakeAtMs - o.atMs) / 1000);
    }
    const error = o.kind === 'call' ? o.error : o.kind === 'refused' ? o.error : undefined;
    if (error && o.next.action !== 'fail' && o.next.action !== 'done' && !fallsBack(o)) {
      m.retries.labels({ model_group: o.group, exception_class: error.type }).inc();
      if (o.next.action === 'park') m.reenqueues.labels({ model_group: o.group, reason: 'backoff' }).inc();
    }
    if (fallsBack(o) && o.next.action === 'park')
      m.reenqueues.labels({ model_group: o.group, reason: 'backoff' }).inc();
    // A fallback group's outcome: it answered, or the job left it (further fallback or failure).
    if (
      o.group !== o.requestedGroup &&
      (o.next.action === 'done' || o.next.action === 'fail' || fallsBack(o))
    ) {
      const cause = o.cause ?? error;
      const labels = {
        requested_model: o.requestedGroup,
        fallback_model: o.group,
        ...exceptionLabels(cause),
        model_id: o.kind === 'call' ? o.deployment.id : '',
      };
      (o.next.action === 'done' ? m.fallbackOk : m.fallbackFailed).labels(labels).inc();
    }
    if (o.next.action === 'done' || o.next.action === 'fail') this.#finished(o, error, call);
  };

  #finished(o: JobObservation, error: ObservedError | undefined, call: CallLabels | undefined): void {
    const m = this.#m;
    const endMs = o.kind === 'call' ? o.endMs : o.atMs;
    const model = o.kind === 'cache_hit' ? o.model : '';
    (call
      ? m.requestLatency.kept(call.finished)
      : m.requestLatency.labels({ requested_model: o.requestedGroup, model })
    ).observe(Math.max(0, endMs - o.enqueuedAtMs) / 1000);
    if (o.next.action !== 'fail') {
      (call
        ? m.requests.kept(call.ok)
        : m.requests.labels({ requested_model: o.requestedGroup, status_code: '200' })
      ).inc();
      return;
    }
    // The failedReason is what the client sees (the original group's first error, after fallbacks).
    const { type } = parseFailedReason(o.next.reason);
    const status = (error?.type === type ? error.status : undefined) ?? DEFAULT_STATUS[type];
    m.requests.labels({ requested_model: o.requestedGroup, status_code: String(status) }).inc();
    m.failedRequests
      .labels({ requested_model: o.requestedGroup, exception_status: String(status), exception_class: type })
      .inc();
  }

  #call(o: Extract<JobObservation, { kind: 'call' }>, l: CallLabels): void {
    const m = this.#m;
    m.total.kept(l.request).inc();
    m.apiLatency.kept(l.model).observe(o.latencyMs / 1000);
    if (o.timeToFirstTokenMs !== undefined) m.ttft.kept(l.model).observe(o.timeToFirstTokenMs / 1000);
    if (o.remainingRequests !== undefined) m.remainingRequests.kept(l.remaining).set(o.remainingRequests);
    if (o.remainingTokens !== undefined) m.remainingTokens.kept(l.remaining).set(o.remainingTokens);
    if (o.error) {
      m.failure.labels({ ...l.request, ...exceptionLabels(o.error) }).inc();
      const cooled = o.cooldownUntilMs !== undefined;
      if (cooled)
        m.cooledDown
          .labels({ ...l.deployment, exception_status: exceptionLabels(o.error).exception_status })
          .inc();
      m.state.kept(l.deployment).set(cooled ? DEPLOYMENT_STATE.outage : DEPLOYMENT_STATE.partialOutage);
      return;
    }
    m.success.kept(l.request).inc();
    m.state.kept(l.deployment).set(DEPLOYMENT_STATE.healthy);
    const usage = o.usage;
    if (usage) {
      if (usage.completionTokens > 0)
        m.latencyPerToken.kept(l.deployment).observe(o.latencyMs / 1000 / usage.completionTokens);
      m.tokens.kept(l.model).inc(usage.totalTokens);
      m.inputTokens.kept(l.model).inc(usage.promptTokens);
      m.outputTokens.kept(l.model).inc(usage.completionTokens);
    }
    if (o.cost) m.spend.kept(l.spend).inc(o.cost);
  }

  /** The label sets of a call's series, built once per deployment, requested group and group. */
  #callLabels(o: Extract<JobObservation, { kind: 'call' }>): CallLabels {
    let byGroups = this.#calls.get(o.deployment);
    if (!byGroups) {
      byGroups = new Map();
      this.#calls.set(o.deployment, byGroups);
    }
    const key = `${o.requestedGroup}\u0000${o.group}`;
    let labels = byGroups.get(key);
    if (!labels) {
      labels = callLabels(o.deployment, o.requestedGroup, o.group);
      byGroups.set(key, labels);
    }
    return labels;
  }

  /** Events a sink dropped (counted under LiteLLM's callback failure metric). */
  callbackDropped(name: string, count: number): void {
    this.#m.callbackFailures.labels({ callback_name: name }).inc(count);
  }

  /** The Prometheus text exposition of this registry. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
