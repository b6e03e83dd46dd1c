// Turns one settled attempt into the small typed event observers read (metrics, event stream, sinks).
// Built only when an observer is configured; everything here is synchronous and allocation-light.
import { costOf, type Deployment, publicApiBase } from '@switchyard/core';
import type {
  JobObservation,
  ObservedDeployment,
  ObservedError,
  ObservedNext,
  ObservedUsage,
} from '@switchyard/observability';
import { openAIUsage } from '@switchyard/providers';
import type { CachedResponse } from '../response-cache.ts';
import type { AttemptOutcome } from './attempt.ts';
import type { JobContext } from './context.ts';
import type { Next } from './settle.ts';

/** What settle learnt that the outcome does not carry. */
export interface SettleFacts {
  /** The failure cooled the deployment until then. */
  cooldownUntilMs?: number;
}

/** Before settle runs: the attempt's index and the error that led to it. */
export interface Before {
  attemptIndex: number;
  cause: ObservedError | undefined;
}

export function before(ctx: JobContext): Before {
  const { attempts } = ctx.state;
  const last = attempts.at(-1);
  return { attemptIndex: attempts.length, cause: last?.error };
}

const observed = new WeakMap<Deployment, ObservedDeployment>();

/** Deployments are built once per process: their public form is computed once too. */
function observedDeployment(d: Deployment): ObservedDeployment {
  let o = observed.get(d);
  if (!o) {
    o = {
      id: d.id,
      provider: d.provider,
      model: d.model,
      litellmModel: d.litellmModel,
      apiBase: publicApiBase(d.apiBase),
    };
    observed.set(d, o);
  }
  return o;
}

/** The fields every observation of this job carries. */
function commonOf(ctx: JobContext, group: string, at: Before, next: ObservedNext) {
  const { job, request, state } = ctx;
  return {
    jobId: String(job.id),
    endpoint: request.endpoint,
    requestedGroup: state.plan.originalGroup,
    group,
    attemptIndex: at.attemptIndex,
    enqueuedAtMs: job.timestamp,
    activatedAtMs: job.processedOn ?? job.timestamp,
    firstActivation: job.attemptsStarted <= 1,
    metadata: request.metadata,
    cause: at.cause,
    next,
  };
}

/** A job the response cache answered before any routing (prepare's one GET). */
export function cacheHitObservation(ctx: JobContext, hit: CachedResponse): JobObservation {
  const usage = usageOf(hit.body.usage);
  return {
    ...commonOf(ctx, hit.modelGroup, before(ctx), { action: 'done' }),
    kind: 'cache_hit',
    deploymentId: hit.deploymentId,
    provider: hit.provider,
    model: typeof hit.body.model === 'string' ? hit.body.model : '',
    usage,
    atMs: Date.now(),
  };
}

export function observation(
  ctx: JobContext,
  outcome: AttemptOutcome,
  next: Next,
  facts: SettleFacts,
  at: Before,
): JobObservation {
  const group = outcome.kind === 'refused' ? ctx.state.plan.group : outcome.group;
  const common = commonOf(ctx, group, at, observedNext(ctx, next));
  const now = Date.now();
  switch (outcome.kind) {
    case 'refused':
      return { ...common, kind: 'refused', error: errorOf(outcome.error), atMs: now };
    case 'saturated':
      return { ...common, kind: 'saturated', reason: outcome.reason, wakeAtMs: outcome.wakeAtMs, atMs: now };
    case 'called': {
      const { response, error, deployment } = outcome;
      const headers = response?.headers;
      return {
        ...common,
        kind: 'call',
        deployment: observedDeployment(deployment),
        startMs: now - outcome.latencyMs,
        endMs: now,
        latencyMs: outcome.latencyMs,
        usage: response?.usage,
        cost: response ? costOf(deployment, response.usage) : undefined,
        timeToFirstTokenMs: response?.timeToFirstChunkMs,
        remainingRequests: headerNumber(headers?.['x-ratelimit-remaining-requests']),
        remainingTokens: headerNumber(headers?.['x-ratelimit-remaining-tokens']),
        responseModel: stringField(response?.body.model),
        responseId: stringField(response?.body.id),
        error: error ? errorOf(error) : undefined,
        cooldownUntilMs: facts.cooldownUntilMs,
        mocked: outcome.reservationId === undefined,
      };
    }
  }
}

function observedNext(ctx: JobContext, next: Next): ObservedNext {
  switch (next.action) {
    case 'done':
      return { action: 'done' };
    case 'fail':
      return { action: 'fail', reason: next.reason };
    case 'retry':
      return { action: 'retry', group: ctx.state.plan.group };
    case 'park':
      return { action: 'park', group: ctx.state.plan.group, untilMs: next.untilMs };
  }
}

function errorOf(err: {
  type: ObservedError['type'];
  status?: number | undefined;
  message: string;
}): ObservedError {
  return { type: err.type, status: err.status, message: err.message };
}

/** An OpenAI `usage` object from a stored answer, when it has one. */
function usageOf(raw: unknown): ObservedUsage | undefined {
  return typeof raw === 'object' && raw !== null ? openAIUsage(raw as Record<string, unknown>) : undefined;
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function headerNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
