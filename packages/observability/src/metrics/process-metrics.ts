// This process's own figures (a worker's calls, fallbacks, cooldowns, tokens, spend, waits), fed by the
// pipeline's observations. Counters only grow here; Prometheus sums them across workers.
import { DEFAULT_STATUS, parseFailedReason } from '@switchyard/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { fallsBack, type JobObservation, type ObservedError } from '../observation.ts';
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

const THIS = 'This worker process.';

/** Bounded label values: an exception class is one of the taxonomy's names, a status a number or "". */
function exceptionLabels(err: ObservedError | undefined) {
  return {
    exception_status: err?.status === undefined ? '' : String(err.status),
    exception_class: err?.type ?? '',
  };
}

export class ProcessMetrics {
  readonly registry: Registry;
  readonly #m;

  constructor(opts: { registry?: Registry; defaultLabels?: Record<string, string> } = {}) {
    this.registry = opts.registry ?? new Registry();
    if (opts.defaultLabels) this.registry.setDefaultLabels(opts.defaultLabels);
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name, help: `${help} ${THIS}`, labelNames, registers });
    const histogram = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      buckets?: number[],
    ) =>
      new Histogram<L>({
        name,
        help: `${help} ${THIS}`,
        labelNames,
        registers,
        ...(buckets ? { buckets } : {}),
      });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name, help: `${help} ${THIS}`, labelNames, registers });
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
    if (o.firstActivation && o.attemptIndex === 0 && o.kind !== 'refused') {
      const queued = Math.max(0, o.activatedAtMs - o.enqueuedAtMs) / 1000;
      m.queueTime.observe({ requested_model: o.requestedGroup }, queued);
    }
    if (o.kind === 'call') this.#call(o);
    if (o.kind === 'cache_hit') {
      const labels = { model: o.model, requested_model: o.requestedGroup, model_id: o.deploymentId };
      m.cacheHits.inc(labels);
      if (o.usage) m.cachedTokens.inc(labels, o.usage.totalTokens);
    }
    if (o.kind === 'saturated' && o.next.action === 'park') {
      m.reenqueues.inc({ model_group: o.group, reason: 'capacity' });
      m.capacityWait.observe(
        { model_group: o.group, reason: o.reason },
        Math.max(0, o.wakeAtMs - o.atMs) / 1000,
      );
    }
    const error = o.kind === 'call' ? o.error : o.kind === 'refused' ? o.error : undefined;
    if (error && o.next.action !== 'fail' && o.next.action !== 'done' && !fallsBack(o)) {
      m.retries.inc({ model_group: o.group, exception_class: error.type });
      if (o.next.action === 'park') m.reenqueues.inc({ model_group: o.group, reason: 'backoff' });
    }
    if (fallsBack(o) && o.next.action === 'park')
      m.reenqueues.inc({ model_group: o.group, reason: 'backoff' });
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
      (o.next.action === 'done' ? m.fallbackOk : m.fallbackFailed).inc(labels);
    }
    if (o.next.action === 'done' || o.next.action === 'fail') this.#finished(o, error);
  };

  #finished(o: JobObservation, error: ObservedError | undefined): void {
    const m = this.#m;
    const endMs = o.kind === 'call' ? o.endMs : o.atMs;
    const model = o.kind === 'call' ? o.deployment.model : o.kind === 'cache_hit' ? o.model : '';
    m.requestLatency.observe(
      { requested_model: o.requestedGroup, model },
      Math.max(0, endMs - o.enqueuedAtMs) / 1000,
    );
    if (o.next.action !== 'fail') {
      m.requests.inc({ requested_model: o.requestedGroup, status_code: '200' });
      return;
    }
    // The failedReason is what the client sees (the original group's first error, after fallbacks).
    const { type } = parseFailedReason(o.next.reason);
    const status = (error?.type === type ? error.status : undefined) ?? DEFAULT_STATUS[type];
    m.requests.inc({ requested_model: o.requestedGroup, status_code: String(status) });
    m.failedRequests.inc({
      requested_model: o.requestedGroup,
      exception_status: String(status),
      exception_class: type,
    });
  }

  #call(o: Extract<JobObservation, { kind: 'call' }>): void {
    const m = this.#m;
    const d = o.deployment;
    const deployment = {
      litellm_model_name: d.litellmModel,
      model_id: d.id,
      api_base: d.apiBase,
      api_provider: d.provider,
    };
    const request = { requested_model: o.requestedGroup, ...deployment };
    const model = { model: d.model, requested_model: o.requestedGroup, model_id: d.id };
    m.total.inc(request);
    m.apiLatency.observe(model, o.latencyMs / 1000);
    if (o.timeToFirstTokenMs !== undefined) m.ttft.observe(model, o.timeToFirstTokenMs / 1000);
    const remaining = { model_group: o.group, ...deployment };
    if (o.remainingRequests !== undefined) m.remainingRequests.set(remaining, o.remainingRequests);
    if (o.remainingTokens !== undefined) m.remainingTokens.set(remaining, o.remainingTokens);
    if (o.error) {
      m.failure.inc({ ...request, ...exceptionLabels(o.error) });
      const cooled = o.cooldownUntilMs !== undefined;
      if (cooled)
        m.cooledDown.inc({ ...deployment, exception_status: exceptionLabels(o.error).exception_status });
      m.state.set(deployment, cooled ? DEPLOYMENT_STATE.outage : DEPLOYMENT_STATE.partialOutage);
      return;
    }
    m.success.inc(request);
    m.state.set(deployment, DEPLOYMENT_STATE.healthy);
    const usage = o.usage;
    if (usage) {
      if (usage.completionTokens > 0)
        m.latencyPerToken.observe(deployment, o.latencyMs / 1000 / usage.completionTokens);
      m.tokens.inc(model, usage.totalTokens);
      m.inputTokens.inc(model, usage.promptTokens);
      m.outputTokens.inc(model, usage.completionTokens);
    }
    if (o.cost) m.spend.inc({ model: d.model, model_id: d.id, api_provider: d.provider }, o.cost);
  }

  /** Events a sink dropped (counted under LiteLLM's callback failure metric). */
  callbackDropped(name: string, count: number): void {
    this.#m.callbackFailures.inc({ callback_name: name }, count);
  }

  /** The Prometheus text exposition of this registry. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
