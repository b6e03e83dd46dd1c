// Stage 3: what an attempt's outcome means — record it in routing state, then done, retry, park or fail.
import {
  type AttemptRecord,
  budgetsOf,
  cooldownEffect,
  costOf,
  type Deployment,
  planNext,
  planNoCapacity,
  type RoutedResult,
  type SwitchyardError,
} from '@switchyard/core';
import type { AttemptOutcome } from './attempt.ts';
import type { JobContext, PipelineDeps } from './context.ts';
import { before, observation, type SettleFacts } from './observe.ts';
import { respond } from './respond.ts';

export type Next =
  | { action: 'done'; result: RoutedResult }
  /** Attempt again at once (a zero-delay retry or a fallback). */
  | { action: 'retry' }
  /** Move the job to delayed until then; the worker's slot is free meanwhile. */
  | { action: 'park'; untilMs: number }
  /** `reason` is the job's failedReason. */
  | { action: 'fail'; reason: string };

/** LiteLLM records a timed-out call as a 1000 s latency so latency routing steers away from it. */
const TIMEOUT_LATENCY_PENALTY_MS = 1_000_000;

export async function settle(ctx: JobContext, outcome: AttemptOutcome, deps: PipelineDeps): Promise<Next> {
  if (!deps.observe) return decide(ctx, outcome, deps, {});
  const at = before(ctx);
  const facts: SettleFacts = {};
  const next = await decide(ctx, outcome, deps, facts);
  // The one observer hook: metrics, the event stream and sinks read this event, never the stages.
  deps.observe(observation(ctx, outcome, next, facts, at));
  return next;
}

async function decide(
  ctx: JobContext,
  outcome: AttemptOutcome,
  deps: PipelineDeps,
  facts: SettleFacts,
): Promise<Next> {
  switch (outcome.kind) {
    case 'refused':
      if (!outcome.plannable) return { action: 'fail', reason: outcome.error.toReason() };
      return plan(ctx, deps, outcome.error, outcome.deployments, undefined);
    case 'saturated': {
      // Every deployment cooling: the group is broken for now and its fallbacks serve at once; a group
      // merely at its limits is healthy and the job waits for the capacity Redis says returns.
      // The script names the reason of the earliest return, so `cooldown` can hide a sibling that is only
      // at its rpm: a fresh read says whether every usable deployment really is cooling (rare: saturated).
      const allCooling =
        outcome.reason === 'cooldown' &&
        (await deps.router.health(outcome.group, outcome.deployments, true)).every((d) => !d.healthy);
      const decision = planNoCapacity({
        settings: ctx.settings,
        state: ctx.state.plan,
        allCooling,
        wakeAtMs: outcome.wakeAtMs,
        reason: outcome.reason,
        nowMs: Date.now(),
      });
      ctx.state.plan = decision.state;
      if (decision.action === 'fail') return { action: 'fail', reason: decision.reason };
      if (decision.action === 'fallback') return { action: 'retry' };
      return { action: 'park', untilMs: decision.untilMs };
    }
    case 'called':
      return outcome.response ? succeeded(ctx, deps, outcome) : failed(ctx, deps, outcome, facts);
  }
}

type Called = Extract<AttemptOutcome, { kind: 'called' }>;

async function succeeded(ctx: JobContext, deps: PipelineDeps, outcome: Called): Promise<Next> {
  const { group, deployment, latencyMs, reservationId } = outcome;
  const response = outcome.response!;
  const { usage } = response;
  if (reservationId !== undefined) {
    // Off the result's path (pino's rule) and batched: the caller's answer need not wait for
    // bookkeeping. Until it lands the slot still counts as taken, on the safe side of every limit.
    deps.outcomes.add({
      group,
      deploymentId: deployment.id,
      reservationId,
      ok: true,
      // Streams are ranked by time to first chunk, as LiteLLM's latency routing does for stream=True.
      latencySample:
        response.timeToFirstChunkMs ??
        (ctx.request.endpoint !== 'embeddings' && usage.completionTokens > 0
          ? latencyMs / usage.completionTokens
          : latencyMs),
      totalTokens: usage.totalTokens,
      callMs: latencyMs,
    });
    const budgets = budgetsOf(deployment, deps.config.router);
    if (budgets.length > 0) {
      // Budgets are exact: the answer waits for its spend (batched with concurrent jobs' spend).
      const cost = costOf(deployment, usage);
      await deps.outcomes.spend(
        budgets.map((b) => ({ name: b.name, cost, ...(b.periodMs ? { periodMs: b.periodMs } : {}) })),
      );
    }
  }
  ctx.state.attempts.push({ deploymentId: deployment.id, modelGroup: group, latencyMs });
  const { cache } = ctx;
  if (cache?.store && reservationId !== undefined) {
    const entry = {
      body: response.body,
      modelGroup: group,
      deploymentId: deployment.id,
      provider: deployment.provider,
    };
    deps.background(deps.cache!.set(cache.key, entry, cache.ttlSec));
  }
  return { action: 'done', result: respond(group, deployment, response, latencyMs, ctx.state.attempts) };
}

async function failed(
  ctx: JobContext,
  deps: PipelineDeps,
  outcome: Called,
  facts: SettleFacts,
): Promise<Next> {
  const { group, deployment, deployments, latencyMs, reservationId } = outcome;
  const err = outcome.error!;
  let cooldownUntilMs = 0;
  if (reservationId !== undefined) {
    // A timeout the caller chose says nothing about the deployment: no cooldown, no latency penalty.
    const callerCaused = err.type === 'Timeout' && (ctx.callerTimeout || ctx.streamTimeoutMs !== undefined);
    // A wildcard group (`openai/*`) serves every model of a provider: one model's 404 or 429 must not bench
    // them all, so, as in LiteLLM, its deployments are never cooled.
    const effect =
      callerCaused || group.includes('*')
        ? undefined
        : cooldownEffect(ctx.settings, deployment, err, deployments.length);
    const recorded = await deps.state.record({
      group,
      deploymentId: deployment.id,
      reservationId,
      ok: false,
      callMs: latencyMs,
      // A failed call used no tokens of the provider's budget: the estimate leaves the tpm window.
      totalTokens: 0,
      ...(err.type === 'Timeout' && !callerCaused ? { latencySample: TIMEOUT_LATENCY_PENALTY_MS } : {}),
      ...(effect ? { failure: effect } : {}),
    });
    cooldownUntilMs = recorded.cooldownUntilMs;
    if (effect && cooldownUntilMs > Date.now()) {
      deps.router.discardLeases(group, deployment.id);
      // Only the outcome that started a cooldown reports it: one started by another worker is counted there.
      if (recorded.cooldownStarted) facts.cooldownUntilMs = cooldownUntilMs;
    }
  }
  deps.logger.warn(
    { jobId: ctx.job.id, group, deploymentId: deployment.id, type: err.type, status: err.status },
    'attempt failed',
  );
  const attempt: AttemptRecord = {
    deploymentId: deployment.id,
    modelGroup: group,
    latencyMs,
    error: { type: err.type, status: err.status, message: err.message },
  };
  if (ctx.reply.committed) {
    // Content already reached the consumer: a retry could only splice a second answer onto it.
    ctx.state.attempts.push(attempt);
    return { action: 'fail', reason: err.toReason() };
  }
  return plan(ctx, deps, err, deployments, attempt, cooldownUntilMs);
}

/** Asks the planner what follows a failure, using the cooldown the record script just returned. */
async function plan(
  ctx: JobContext,
  deps: PipelineDeps,
  err: SwitchyardError,
  deployments: readonly Deployment[],
  attempt: AttemptRecord | undefined,
  cooldownUntilMs = 0,
): Promise<Next> {
  const { state } = ctx;
  if (attempt) state.attempts.push(attempt);
  const now = Date.now();
  const health = (await deps.router.health(state.plan.group, deployments)).map((d) =>
    d.id === attempt?.deploymentId ? { id: d.id, healthy: cooldownUntilMs <= now } : d,
  );
  const decision = planNext({
    settings: ctx.settings,
    state: state.plan,
    error: { type: err.type, status: err.status, message: err.message, retryAfterMs: err.retryAfterMs },
    deployment: deployments.find((d) => d.id === attempt?.deploymentId) ?? deployments[0]!,
    groupDeployments: health,
    nowMs: now,
    random: deps.random,
  });
  state.plan = decision.state;
  if (decision.action === 'fail') return { action: 'fail', reason: decision.reason };
  if (decision.delayMs > 0) return { action: 'park', untilMs: now + decision.delayMs };
  return { action: 'retry' };
}
