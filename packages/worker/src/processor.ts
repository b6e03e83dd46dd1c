// The BullMQ processor: a job goes prepare → (attempt → settle)* → its result; BullMQ's errors only here.
//
//   prepare   job/prepare.ts   validate, bound the request's params, fresh or stored plan, cache lookup
//   attempt   job/attempt.ts   target group, pick + reserve a deployment, call the provider (or mock)
//   settle    job/settle.ts    record the outcome, ask the planner: done | retry | park | fail
//   respond   job/respond.ts   the result: provider body + `routing` (cache hits use it too)
import { type SwitchyardConfig, SwitchyardError, withJobState } from '@switchyard/core';
import type { Observer } from '@switchyard/observability';
import type { RoutingState } from '@switchyard/redis-state';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { createBackgroundWrites } from './background-writes.ts';
import type { DeploymentRouter } from './deployment-router.ts';
import { attempt } from './job/attempt.ts';
import type { Invoke, PipelineDeps, Streaming } from './job/context.ts';
import { prepare } from './job/prepare.ts';
import { settle } from './job/settle.ts';
import { openReply } from './job/stream-reply.ts';
import type { ModelView } from './live-models.ts';
import { WORKER_DEFAULTS } from './options.ts';
import { OutcomeBatcher } from './outcome-batcher.ts';
import type { ResponseCache } from './response-cache.ts';

export interface ProcessorDeps {
  config: SwitchyardConfig;
  /** The current model list: every stage reads the snapshot of the moment, swapped when the list changes. */
  models: ModelView;
  router: DeploymentRouter;
  state: RoutingState;
  call: Invoke;
  /** Present when `stream: true` jobs can be served. */
  streaming?: Streaming;
  logger: Logger;
  random?: () => number;
  /** Present when the config turns response caching on. */
  cache?: ResponseCache;
  /** @defaultValue WORKER_DEFAULTS.outcomeBatchSize */
  outcomeBatchSize?: number;
  /** @defaultValue WORKER_DEFAULTS.leaseMarginMs */
  leaseMarginMs?: number;
  /** Told every settled attempt; see PipelineDeps.observe. */
  observe?: Observer;
}

export function createProcessor(deps: ProcessorDeps) {
  const background = createBackgroundWrites(deps.logger);
  const pipeline: PipelineDeps = {
    ...deps,
    // An attempt holds its Deployment object, so a swap never changes a call already made.
    get config() {
      return deps.models.current().config;
    },
    get groups() {
      return deps.models.current().groups;
    },
    resolveTarget: (name, specificDeployment) =>
      deps.models.current().resolveTarget(name, specificDeployment),
    outcomes: new OutcomeBatcher(
      deps.state,
      deps.logger,
      deps.outcomeBatchSize ?? WORKER_DEFAULTS.outcomeBatchSize,
    ),
    leaseMarginMs: deps.leaseMarginMs ?? WORKER_DEFAULTS.leaseMarginMs,
    random: deps.random ?? Math.random,
    background: background.add,
  };

  const process = async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
    // Where the answer goes besides the returnvalue (the job's Redis Stream for `stream: true`).
    const reply = openReply(job, pipeline);
    const fail = async (reason: string): Promise<never> => {
      await reply.failed(reason);
      throw new UnrecoverableError(reason);
    };
    const prepared = await prepare(job, pipeline, reply).catch((err: unknown) => {
      if (err instanceof SwitchyardError) return fail(err.toReason());
      throw err;
    });
    if (prepared.kind === 'answered') return reply.answered(prepared.result);
    const { ctx } = prepared;
    const before = { plan: ctx.state.plan, attempts: ctx.state.attempts.length };
    for (;;) {
      const next = await settle(ctx, await attempt(ctx, pipeline, signal), pipeline);
      if (next.action === 'done') return reply.answered(next.result);
      if (next.action === 'retry') continue;
      // Parking before any attempt (no capacity yet) leaves nothing new to save.
      const changed = ctx.state.plan !== before.plan || ctx.state.attempts.length !== before.attempts;
      if (next.action === 'fail' || changed) {
        await job.updateData(withJobState(job.data, ctx.state));
      }
      if (next.action === 'fail') return fail(next.reason);
      await job.moveToDelayed(Math.ceil(next.untilMs), token);
      throw new DelayedError();
    }
  };
  /** Resolves once every background outcome write has landed (graceful shutdown awaits it). */
  const flush = async () => {
    await pipeline.outcomes.drain();
    await background.flush();
  };
  return Object.assign(process, { flush });
}

export type Processor = ReturnType<typeof createProcessor>;
