// The last line of the failure contract: whatever escapes the processor unplanned still fails its job
// with a taxonomy name, once, instead of a bare message (or a BullMQ retry the planner did not ask for).
import { DelayedError, type Job, RateLimitError, UnrecoverableError, WaitingChildrenError } from 'bullmq';

type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

/** BullMQ's own control-flow errors pass through untouched. */
function isControlFlow(err: unknown): boolean {
  return (
    err instanceof DelayedError ||
    err instanceof UnrecoverableError ||
    err instanceof RateLimitError ||
    err instanceof WaitingChildrenError
  );
}

export function containErrors(processor: Processor): Processor {
  return async (job, token, signal) => {
    try {
      return await processor(job, token, signal);
    } catch (err) {
      if (isControlFlow(err)) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new UnrecoverableError(`InternalServerError: worker could not process the job: ${message}`);
    }
  };
}
