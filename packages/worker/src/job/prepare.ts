// Stage 1: check what the producer sent and set up what the attempts need; a cache hit answers here.
// Job data is untrusted: whatever it asks for is bounded by the config, and the routing state it may
// carry is read only when this worker wrote it (a job's first activation always starts a fresh plan).
import {
  cacheGroupOf,
  estimateTokens,
  initialState,
  type JobState,
  type RoutedResult,
  readJobState,
  resolveGroup,
  STATE_KEY,
  type SwitchyardConfig,
  SwitchyardError,
  withJobState,
} from '@switchyard/core';
import type { Job } from 'bullmq';
import { type ValidJob, validateJob } from '../job-data.ts';
import { mockParamsIn, mockPlan } from '../mock-response.ts';
import {
  fallbackOverrides,
  type RequestRouterParams,
  requestStreamTimeoutMs,
  requestTimeoutMs,
  settingsForRequest,
} from '../request-params.ts';
import type { CachedResponse } from '../response-cache.ts';
import type { CacheSlot, JobContext, PipelineDeps, Reply } from './context.ts';
import { respondFromCache } from './respond.ts';

export type Prepared =
  | { kind: 'ready'; ctx: JobContext }
  /** The response cache answered: `hit` is the stored entry, `result` the job's returnvalue. */
  | { kind: 'answered'; ctx: JobContext; hit: CachedResponse; result: RoutedResult };

/** Throws a SwitchyardError (BadRequestError) for a job that cannot be routed. */
export async function prepare(job: Job, deps: PipelineDeps, reply: Reply): Promise<Prepared> {
  const { config } = deps;
  const request = validateJob(job.name, job.data, { maxAudioBytes: config.switchyard.maxAudioBytes });
  refuseMocks(request, config);
  const state = (await storedState(job)) ?? (await freshState(job, request, deps));
  const params = bounded(request.params, config);
  const group = state.plan.originalGroup;

  const requested = requestTimeoutMs(params);
  const ctx: JobContext = {
    job,
    request,
    reply,
    state,
    settings: settingsForRequest(config.router, group, params),
    timeoutMs: requested ?? config.router.timeoutMs,
    callerTimeout: requested !== undefined && requested < config.router.timeoutMs,
    estimatedTokens: estimateTokens(request.endpoint, request.body),
    specificDeployment: params.specific_deployment === true,
  };
  const streamTimeoutMs = requestStreamTimeoutMs(params);
  // Only a streamed call has chunks to wait for; elsewhere the parameter means nothing (as in LiteLLM).
  if (streamTimeoutMs !== undefined && request.body.stream === true) ctx.streamTimeoutMs = streamTimeoutMs;
  const overrides = fallbackOverrides(params);
  if (overrides) ctx.overrides = overrides;
  const mock = config.switchyard.allowMockParams ? mockPlan(params, group) : undefined;
  if (mock) ctx.mock = mock;
  const cache = cacheSlot(ctx, deps, params);
  if (cache) {
    ctx.cache = cache;
    // One GET before the first attempt; a hit skips routing and the provider altogether.
    if (state.attempts.length === 0 && !mock && !params.cache?.['no-cache']) {
      const hit = await deps.cache!.get(cache.key);
      if (hit) return { kind: 'answered', ctx, hit, result: respondFromCache(hit) };
    }
  }
  return { kind: 'ready', ctx };
}

/** mock_response and mock_testing_* change outcomes for everyone watching routing: off unless configured. */
function refuseMocks(request: ValidJob, config: SwitchyardConfig): void {
  const mocks = mockParamsIn(request.params);
  if (mocks.length > 0 && !config.switchyard.allowMockParams) {
    throw new SwitchyardError(
      'BadRequestError',
      `${mocks[0]} is a testing parameter, refused unless switchyard_settings.allow_mock_params is true`,
    );
  }
}

/** The state this worker wrote on an earlier activation; never what a producer put in the job. */
async function storedState(job: Job): Promise<JobState | undefined> {
  if (job.attemptsStarted <= 1) return undefined;
  try {
    return readJobState(job.data);
  } catch (err) {
    throw new SwitchyardError(
      'BadRequestError',
      `stored routing state is corrupt: ${(err as Error).message}`,
    );
  }
}

async function freshState(job: Job, request: ValidJob, deps: PipelineDeps): Promise<JobState> {
  const { config, groups } = deps;
  // An alias resolves to its group; a deployment id, a wildcard match or a pinned deployment stays as
  // itself, so every attempt resolves it the same way.
  const specific = request.params.specific_deployment === true;
  const group = deps.resolveTarget(request.model, specific)
    ? specific
      ? request.model
      : (resolveGroup(config, request.model) ?? request.model)
    : undefined;
  if (!group) {
    throw new SwitchyardError(
      'BadRequestError',
      specific
        ? `specific_deployment: no deployment has litellm_params.model or id "${request.model}"`
        : `model group "${request.model}" is not configured; known groups: ${[...groups.keys()].join(', ')}`,
    );
  }
  const limit = config.switchyard.jobDeadlineMs;
  // A producer may date its job (BullMQ's `timestamp` option): never later than now.
  const deadlineMs = limit === undefined ? undefined : Math.min(job.timestamp, Date.now()) + limit;
  const state: JobState = { plan: initialState(group, { deadlineMs }), attempts: [] };
  // A producer's forged state is overwritten before any call, so a crash here cannot resurrect it.
  if (Object.hasOwn(job.data as object, STATE_KEY)) await job.updateData(withJobState(job.data, state));
  return state;
}

/** The request's own retries, timeout and cache ttl, never beyond what the config allows. */
function bounded(params: RequestRouterParams, config: SwitchyardConfig): RequestRouterParams {
  const out = { ...params };
  if (out.num_retries !== undefined)
    out.num_retries = Math.min(out.num_retries, config.switchyard.maxRequestRetries);
  const configuredSec = config.router.timeoutMs / 1000;
  if (out.timeout !== undefined) out.timeout = Math.min(out.timeout, configuredSec);
  if (out.request_timeout !== undefined) out.request_timeout = Math.min(out.request_timeout, configuredSec);
  if (out.stream_timeout !== undefined) out.stream_timeout = Math.min(out.stream_timeout, configuredSec);
  const ttl = config.router.cache?.ttlSec;
  if (out.cache?.ttl !== undefined && ttl !== undefined)
    out.cache = { ...out.cache, ttl: Math.min(out.cache.ttl, ttl) };
  return out;
}

function cacheSlot(ctx: JobContext, deps: PipelineDeps, params: RequestRouterParams): CacheSlot | undefined {
  const settings = deps.config.router.cache;
  if (!deps.cache || !settings) return undefined;
  const control = params.cache ?? {};
  const { request } = ctx;
  return {
    key: deps.cache.key({
      endpoint: request.endpoint,
      // caching_groups: groups that answer alike share one key space.
      group: cacheGroupOf(settings.groups, ctx.state.plan.originalGroup),
      // The group stands for the requested name (an alias, a group of a caching group): not the body's
      // model. Streamed or not, it is the same answer: a cached one is replayed as a stream.
      body: { ...withoutStreamKeys(request.body), model: undefined },
      tags: request.tags,
      namespace: control.namespace,
    }),
    store: !control['no-store'] && !ctx.mock,
    ttlSec: control.ttl ?? settings.ttlSec,
  };
}

function withoutStreamKeys(body: Record<string, unknown>): Record<string, unknown> {
  const { stream: _stream, stream_options: _options, ...rest } = body;
  return rest;
}
