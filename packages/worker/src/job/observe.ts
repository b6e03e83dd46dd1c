// Turns one settled attempt into the small typed event observers read (metrics, event stream, sinks).
// Built only when an observer is configured; everything here is synchronous and allocation-light.
import { costOf, type Deployment, publicApiBase } from '@switchyard/core';
import type {
  JobObservation,
  ObservedDeployment,
  ObservedError,
  ObservedNext,
} from '@switchyard/observability';
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

export function observation(
  ctx: JobContext,
  outcome: AttemptOutcome,
  next: Next,
  facts: SettleFacts,
  at: Before,
): JobObservation {
  const { job, request, state } = ctx;
  const common = {
    jobId: String(job.id),
    endpoint: request.endpoint,
    requestedGroup: state.plan.originalGroup,
    group: outcome.kind === 'refused' ? state.plan.group : outcome.group,
    attemptIndex: at.attemptIndex,
    enqueuedAtMs: job.timestamp,
    activatedAtMs: job.processedOn ?? job.timestamp,
    firstActivation: job.attemptsStarted <= 1,
    metadata: request.metadata,
    cause: at.cause,
    next: observedNext(ctx, next),
  };
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

function headerNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
