// Stage 2: one attempt — find the target group, pick and reserve a deployment, call it (or its mock).
import {
  budgetExceededMessage,
  budgetsOf,
  type Deployment,
  deadlineReason,
  parseFailedReason,
  SwitchyardError,
  servesEndpoint,
} from '@switchyard/core';
import type { ProviderResponse } from '@switchyard/providers';
import type { Saturation } from '@switchyard/redis-state';
import { laneOf } from '../job-lane.ts';
import { deploymentMock } from '../mock-response.ts';
import { checkContext } from '../precall.ts';
import { withAudioDuration } from './audio-duration.ts';
import type { JobContext, PipelineDeps } from './context.ts';

export type AttemptOutcome =
  /** No call was made. `plannable`: the planner may still fall back (a pre-call check refused). */
  | { kind: 'refused'; error: SwitchyardError; plannable: boolean; deployments: readonly Deployment[] }
  /** Every deployment is at a limit or cooling: capacity returns at `wakeAtMs`. */
  | {
      kind: 'saturated';
      group: string;
      /** The deployments the job could have used (excluded ones left out). */
      deployments: readonly Deployment[];
      wakeAtMs: number;
      reason: Saturation;
    }
  | {
      kind: 'called';
      group: string;
      deployments: readonly Deployment[];
      deployment: Deployment;
      /** Absent for mocked attempts, which reserve nothing. */
      reservationId?: string;
      latencyMs: number;
      response?: ProviderResponse;
      error?: SwitchyardError;
    };

export async function attempt(
  ctx: JobContext,
  deps: PipelineDeps,
  signal: AbortSignal | undefined,
): Promise<AttemptOutcome> {
  const { plan, attempts } = ctx.state;
  // The one deadline check: a delayed job can be promoted a little late.
  if (plan.deadlineMs !== undefined && Date.now() >= plan.deadlineMs) {
    return refused(parseFailedReason(deadlineReason(attempts.at(-1)?.error)));
  }
  const target = deps.resolveTarget(plan.group, ctx.specificDeployment && plan.group === plan.originalGroup);
  if (!target)
    return refused({ type: 'BadRequestError', message: `fallback target "${plan.group}" is not configured` });
  const group = target.group;
  const { endpoint } = ctx.request;
  // A provider without the endpoint (Anthropic for images) is never picked for it; a group left with none
  // fails now: no retry or wait could change it.
  let deployments = target.deployments.filter((d) => servesEndpoint(d, endpoint));
  if (deployments.length === 0 && target.deployments.length > 0) {
    const providers = [...new Set(target.deployments.map((d) => d.provider))].join(', ');
    return refused({
      type: 'BadRequestError',
      message: `model group "${group}" has no deployment that serves ${endpoint} (its providers: ${providers})`,
    });
  }
  if (deps.config.router.enablePreCallChecks) {
    const checked = checkContext(ctx.request, deployments);
    if (checked instanceof SwitchyardError) {
      return { kind: 'refused', error: checked, plannable: true, deployments };
    }
    deployments = checked;
  }
  if (deployments.length === 0) {
    return refused({ type: 'BadRequestError', message: `model group "${group}" has no deployments` });
  }

  const pickRequest = {
    group,
    deployments,
    estimatedTokens: clampTokens(ctx.estimatedTokens, deployments),
    tags: ctx.request.tags,
    userAgent: ctx.request.userAgent,
    exclude: plan.excluded,
    avoid: lastFailedIn(ctx, group),
    reservationId: `${ctx.job.id}:${attempts.length}:${ctx.job.attemptsStarted}`,
    leaseMs:
      Math.max(...deployments.map((d) => d.timeoutMs ?? ctx.timeoutMs), ctx.timeoutMs) + deps.leaseMarginMs,
    // A batch's (prioritized) requests queue for capacity apart, so interactive ones are not behind them.
    lane: laneOf(ctx.job),
  };
  const mock = ctx.mock?.(group);
  let deployment: Deployment;
  let reservationId: string | undefined;
  try {
    if (mock) deployment = await deps.router.preview(pickRequest);
    else {
      const pick = await deps.router.pick(pickRequest);
      if (!pick.ok && pick.reason === 'budget') {
        // Nowhere left with budget: a failure the planner may still send to a fallback group.
        const budget = deployments
          .flatMap((d) => budgetsOf(d, deps.config.router))
          .find((b) => b.name === pick.budget);
        const error = new SwitchyardError(
          'BudgetExceededError',
          budgetExceededMessage(budget, pick.wakeAtMs),
        );
        return { kind: 'refused', error, plannable: true, deployments };
      }
      if (!pick.ok) {
        const usable = deployments.filter((d) => !plan.excluded.includes(d.id));
        return {
          kind: 'saturated',
          group,
          deployments: usable,
          wakeAtMs: pick.wakeAtMs,
          reason: pick.reason,
        };
      }
      deployment = pick.deployment;
      reservationId = pick.reservationId;
    }
  } catch (err) {
    // Routing refuses only what no retry can change (tags matching no deployment).
    if (err instanceof SwitchyardError) return { kind: 'refused', error: err, plannable: false, deployments };
    throw err;
  }

  const started = performance.now();
  const outcome = { kind: 'called' as const, group, deployments, deployment, latencyMs: 0 };
  if (reservationId !== undefined) Object.assign(outcome, { reservationId });
  try {
    const override = ctx.overrides?.get(plan.group);
    const dropParams = ctx.request.params.drop_params;
    const serving = withStreamTimeout(deployment, ctx, deps.config.router.streamTimeoutMs);
    const response = await (mock ?? deploymentMock(deployment) ?? ctx.reply.invoke)({
      endpoint,
      body: override ? { ...ctx.request.body, ...override } : ctx.request.body,
      // LiteLLM's per-request drop_params wins over the deployment's and the router's.
      deployment: dropParams === undefined ? serving : { ...serving, dropParams },
      signal: attemptSignal(signal, ctx.callerTimeout ? ctx.timeoutMs : undefined),
    });
    const latencyMs = elapsed(started);
    return {
      ...outcome,
      latencyMs,
      response: await withAudioDuration(endpoint, deployment, ctx.request.body, response),
    };
  } catch (err) {
    return { ...outcome, latencyMs: elapsed(started), error: classify(err) };
  }

  function refused(error: { type: SwitchyardError['type']; message: string }): AttemptOutcome {
    return {
      kind: 'refused',
      error: new SwitchyardError(error.type, error.message),
      plannable: false,
      deployments: [],
    };
  }
}

/** Any thrown value as a taxonomy error: what is not ours is a connection failure. */
export function classify(err: unknown): SwitchyardError {
  if (err instanceof SwitchyardError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SwitchyardError('APIConnectionError', message);
}

/** A huge request never reserves more than a deployment could ever grant (it would wait forever). */
function clampTokens(estimate: number, deployments: readonly Deployment[]): number {
  const limits = deployments.map((d) => d.tpm);
  if (limits.some((tpm) => tpm === undefined)) return estimate;
  return Math.min(estimate, Math.max(...(limits as number[])));
}

/** The deployment whose failure this attempt retries, when the last attempt was in the same group. */
function lastFailedIn(ctx: JobContext, group: string): string | undefined {
  const last = ctx.state.attempts.at(-1);
  return last?.error && last.modelGroup === group ? last.deploymentId : undefined;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** The request's `stream_timeout` on the deployment it calls, never longer than the deployment's or the router's. */
function withStreamTimeout(
  deployment: Deployment,
  ctx: JobContext,
  routerMs: number | undefined,
): Deployment {
  if (ctx.streamTimeoutMs === undefined) return deployment;
  const configured = deployment.streamTimeoutMs ?? routerMs ?? Number.POSITIVE_INFINITY;
  return { ...deployment, streamTimeoutMs: Math.min(ctx.streamTimeoutMs, configured) };
}

/** The worker's shutdown signal, plus the request's own timeout (its TimeoutError reason maps to Timeout). */
function attemptSignal(signal: AbortSignal | undefined, timeoutMs: number | undefined): AbortSignal {
  const signals = [signal, timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs)].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  return signals.length === 1
    ? signals[0]!
    : signals.length
      ? AbortSignal.any(signals)
      : new AbortController().signal;
}
