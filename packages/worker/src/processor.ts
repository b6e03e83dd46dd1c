// The BullMQ processor: a job goes prepare → (attempt → settle)* → its result; BullMQ's errors only here.
//
//   prepare   job/prepare.ts   validate, bound the request's params, fresh or stored plan, cache lookup
//   attempt   job/attempt.ts   target group, pick + reserve a deployment, call the provider (or mock)
//   settle    job/settle.ts    record the outcome, ask the planner: done | retry | park | fail
//   respond   job/respond.ts   the result: provider body + `routing` (cache hits use it too)
import { SwitchyardError, withJobState } from '@switchyard/core';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { attempt } from './job/attempt.ts';
import { cacheHitObservation } from './job/observe.ts';
import { createPipeline, type ProcessorDeps } from './job/pipeline.ts';
import { prepare } from './job/prepare.ts';
import { settle } from './job/settle.ts';
import { openReply } from './job/stream-reply.ts';

export type { ProcessorDeps } from './job/pipeline.ts';

export function createProcessor(deps: ProcessorDeps) {
  const { pipeline, flush } = createPipeline(deps);
  const process = (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
    // The activation's trace span, when tracing is on: whatever the run returns or throws ends it.
    const go = () => run(job, token, signal);
    return pipeline.tracer ? pipeline.tracer.run(job, go) : go();
  };
  const run = async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
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
    if (prepared.kind === 'answered') {
      pipeline.observe?.(cacheHitObservation(prepared.ctx, prepared.hit));
      return reply.answered(prepared.result);
    }
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
  // flush resolves once every background outcome write has landed (graceful shutdown awaits it).
  return Object.assign(process, { flush });
}

export type Processor = ReturnType<typeof createProcessor>;
