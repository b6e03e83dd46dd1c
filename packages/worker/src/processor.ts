// The BullMQ processor: validate, route, call, record; on failure plan a retry/fallback as a delayed move.
import {
  cooldownEffect,
  costOf,
  type Deployment,
  estimateTokens,
  initialState,
  planNext,
  resolveGroup,
  type SwitchyardConfig,
  SwitchyardError,
} from '@switchyard/core';
import type { ProviderResponse } from '@switchyard/providers';
import type { RoutingState } from '@switchyard/redis-state';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { DeploymentRouter } from './deployment-router.ts';
import { type ValidJob, validateJob } from './job-data.ts';
import { type AttemptRecord, type JobState, readJobState, withJobState } from './job-state.ts';
import { mockAttempt } from './mock-response.ts';
import { OutcomeBatcher } from './outcome-batcher.ts';
import { checkContext } from './precall.ts';
import { requestTimeoutMs, settingsForRequest } from './request-params.ts';
import { cachedResult, type ResponseCache } from './response-cache.ts';
import { createTargetResolver } from './route-target.ts';

export interface ProcessorDeps {
  config: SwitchyardConfig;
  groups: ReadonlyMap<string, readonly Deployment[]>;
  router: DeploymentRouter;
  state: RoutingState;
  call: (req: {
    endpoint: ValidJob['endpoint'];
    body: Record<string, unknown>;
    deployment: Deployment;
    signal: AbortSignal;
  }) => Promise<ProviderResponse>;
  logger: Logger;
  random?: () => number;
  /** Present when the config turns response caching on. */
  cache?: ResponseCache;
}

/** LiteLLM records a timed-out call as a 1000 s latency so latency routing steers away from it. */
const TIMEOUT_LATENCY_PENALTY_MS = 1_000_000;
/** Extra lease time beyond the call timeout before a crashed worker's in-flight slot frees itself. */
const LEASE_MARGIN_MS = 5_000;

export function createProcessor(deps: ProcessorDeps) {
  const { config, groups, router, state, logger } = deps;
  const random = deps.random ?? Math.random;
  const resolveTarget = createTargetResolver(config, groups);
  const background = createBackgroundWrites(logger);
  const outcomes = new OutcomeBatcher(state, logger);

  const process = async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
    let valid: ValidJob;
    try {
      valid = validateJob(job.name, job.data);
    } catch (err) {
      throw failWith(err);
    }
    const saved = readJobState(job.data);
    // An alias resolves to its group; a deployment id stays as itself so the job pins that deployment.
    const group =
      saved?.plan.group ??
      (resolveTarget(valid.model) ? (resolveGroup(config, valid.model) ?? valid.model) : undefined);
    if (!group) {
      throw failWith(
        new SwitchyardError(
          'BadRequestError',
          `model group "${valid.model}" is not configured; known groups: ${[...groups.keys()].join(', ')}`,
        ),
      );
    }
    const deadlineMs =
      config.switchyard.jobDeadlineMs === undefined
        ? undefined
        : job.timestamp + config.switchyard.jobDeadlineMs;
    const js: JobState = saved ?? { plan: initialState(group, { deadlineMs }), attempts: [] };
    let dirty = false;
    // The request's own retries, fallback lists and timeout (LiteLLM's per-request router params).
    const settings = settingsForRequest(config.router, js.plan.originalGroup, valid.params);
    const attemptTimeoutMs = requestTimeoutMs(valid.params);
    const estimatedTokens = estimateTokens(valid.endpoint, valid.body);

    // Response cache: one GET before the first attempt; a hit skips routing and the provider altogether.
    const cacheConfig = config.router.cache;
    const cacheControl = valid.params.cache ?? {};
    const cacheKey =
      deps.cache && cacheConfig
        ? deps.cache.key(valid.endpoint, js.plan.originalGroup, valid.body, cacheControl.namespace)
        : undefined;
    if (cacheKey && !saved && !cacheControl['no-cache']) {
      const hit = await deps.cache!.get(cacheKey);
      if (hit) return cachedResult(hit);
    }

    const park = async (untilMs: number): Promise<never> => {
      if (dirty) await job.updateData(withJobState(job.data, js));
      await job.moveToDelayed(Math.ceil(untilMs), token);
      throw new DelayedError();
    };
    const fail = async (reason: string): Promise<never> => {
      await job.updateData(withJobState(job.data, js));
      throw new UnrecoverableError(reason);
    };

    for (;;) {
      // A delayed job can be promoted a little late: the deadline is checked again before every attempt.
      if (js.plan.deadlineMs !== undefined && Date.now() >= js.plan.deadlineMs) {
        const last = js.attempts.at(-1)?.error;
        return fail(
          `${last?.type ?? 'Timeout'}: job deadline reached before the next attempt` +
            (last ? `; last error: ${last.message}` : ''),
        );
      }
      const target = resolveTarget(js.plan.group);
      if (!target) return fail(`BadRequestError: fallback target "${js.plan.group}" is not configured`);
      const current = target.group;
      let deployments = target.deployments;
      if (config.router.enablePreCallChecks) {
        const checked = checkContext(valid, deployments);
        if (checked instanceof SwitchyardError) {
          const next = await plan(checked, undefined, deployments);
          if (next) continue;
        } else deployments = checked;
      }
      if (deployments.length === 0)
        return fail(`BadRequestError: model group "${current}" has no deployments`);
      const reservationId = `${job.id}:${js.attempts.length}:${job.attemptsStarted}`;
      const timeoutMs = attemptTimeoutMs ?? config.router.timeoutMs;
      const pick = await router
        .pick({
          group: current,
          deployments,
          estimatedTokens,
          tags: valid.tags,
          exclude: js.plan.excluded,
          avoid: lastFailedIn(js.attempts, current),
          reservationId,
          leaseMs: Math.max(...deployments.map((d) => d.timeoutMs ?? timeoutMs), timeoutMs) + LEASE_MARGIN_MS,
        })
        .catch((err: unknown) => {
          // Routing refuses only what no retry can change (tags matching no deployment): fail with its
          // taxonomy name, or the caller sees a bare message read as APIConnectionError.
          if (err instanceof SwitchyardError) return fail(err.toReason());
          throw err;
        });
      if (!pick.ok) {
        if (js.plan.deadlineMs !== undefined && pick.wakeAtMs > js.plan.deadlineMs) {
          return fail(
            `RateLimitError: no capacity in model group "${current}" (${pick.reason}) before the job deadline`,
          );
        }
        return park(pick.wakeAtMs);
      }
      const deployment = pick.deployment;
      const started = performance.now();
      let response: ProviderResponse | undefined;
      let error: SwitchyardError | undefined;
      const mocked = mockAttempt(
        valid.params,
        valid.endpoint,
        deployment.model,
        current === js.plan.originalGroup,
      );
      try {
        if (mocked instanceof SwitchyardError) throw mocked;
        response =
          mocked ??
          (await deps.call({
            endpoint: valid.endpoint,
            body: valid.body,
            deployment,
            signal: attemptSignal(signal, attemptTimeoutMs),
          }));
      } catch (err) {
        error = classify(err);
      }
      const latencyMs = Math.round(performance.now() - started);

      if (response) {
        const { usage } = response;
        // Off the result's path (pino's rule) and batched: the caller's answer need not wait for
        // bookkeeping. Until it lands the slot still counts as taken, on the safe side of every limit.
        outcomes.add({
          group: current,
          deploymentId: deployment.id,
          reservationId,
          ok: true,
          latencySample:
            valid.endpoint !== 'embeddings' && usage.completionTokens > 0
              ? latencyMs / usage.completionTokens
              : latencyMs,
          totalTokens: usage.totalTokens,
          callMs: latencyMs,
        });
        js.attempts.push({ deploymentId: deployment.id, modelGroup: current, latencyMs });
        if (cacheKey && !cacheControl['no-store']) {
          const entry = {
            body: response.body,
            modelGroup: current,
            deploymentId: deployment.id,
            provider: deployment.provider,
          };
          background.add(deps.cache!.set(cacheKey, entry, cacheControl.ttl ?? cacheConfig!.ttlSec));
        }
        return {
          ...response.body,
          routing: {
            modelGroup: current,
            deploymentId: deployment.id,
            provider: deployment.provider,
            latencyMs,
            cost: costOf(deployment, usage),
            cacheHit: false,
            attempts: js.attempts,
          },
        };
      }

      const err = error!;
      const effect = cooldownEffect(settings, deployment, err, deployments.length);
      await state.record({
        group: current,
        deploymentId: deployment.id,
        reservationId,
        ok: false,
        callMs: latencyMs,
        ...(err.type === 'Timeout' ? { latencySample: TIMEOUT_LATENCY_PENALTY_MS } : {}),
        ...(effect ? { failure: effect } : {}),
      });
      logger.warn(
        { jobId: job.id, group: current, deploymentId: deployment.id, type: err.type, status: err.status },
        'attempt failed',
      );
      const attempt: AttemptRecord = {
        deploymentId: deployment.id,
        modelGroup: current,
        latencyMs,
        error: { type: err.type, status: err.status, message: err.message },
      };
      await plan(err, attempt, deployments);
    }

    /** Ask the planner what follows a failure; loops at once for a zero delay, else parks or fails. */
    async function plan(
      err: SwitchyardError,
      attempt: AttemptRecord | undefined,
      deployments: readonly Deployment[],
    ): Promise<true> {
      if (attempt) js.attempts.push(attempt);
      dirty = true;
      const health = await router.health(js.plan.group, deployments, true);
      const decision = planNext({
        settings,
        state: js.plan,
        error: { type: err.type, status: err.status, message: err.message, retryAfterMs: err.retryAfterMs },
        deployment: deployments.find((d) => d.id === attempt?.deploymentId) ?? deployments[0]!,
        groupDeployments: health,
        nowMs: Date.now(),
        random,
      });
      js.plan = decision.state;
      if (decision.action === 'fail') return fail(decision.reason);
      if (decision.delayMs > 0) return park(Date.now() + decision.delayMs);
      return true;
    }
  };
  /** Resolves once every background outcome write has landed (graceful shutdown awaits it). */
  const flush = async () => {
    await outcomes.drain();
    await background.flush();
  };
  return Object.assign(process, { flush });
}

export type Processor = ReturnType<typeof createProcessor>;

/** Outcome writes that finish after the job's result; failures are logged, the lease expiry covers them. */
function createBackgroundWrites(logger: Logger) {
  const pending = new Set<Promise<unknown>>();
  return {
    add(write: Promise<unknown>): void {
      const tracked = write
        .catch((err: Error) => logger.warn({ err: err.message }, 'recording an outcome failed'))
        .finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    async flush(): Promise<void> {
      await Promise.all(pending);
    },
  };
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

/** The deployment whose failure this attempt retries, when the last attempt was in the same group. */
function lastFailedIn(attempts: readonly AttemptRecord[], group: string): string | undefined {
  const last = attempts.at(-1);
  return last?.error && last.modelGroup === group ? last.deploymentId : undefined;
}

function classify(err: unknown): SwitchyardError {
  if (err instanceof SwitchyardError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SwitchyardError('APIConnectionError', message);
}

/** A job-level failure: BullMQ must not retry it on its own (our planner already did). */
function failWith(err: unknown): UnrecoverableError {
  const e = classify(err);
  return new UnrecoverableError(e.toReason());
}
