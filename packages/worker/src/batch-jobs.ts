// Dispatch by job name: a batch's own jobs (the flow's parent, the deadline) go to the BatchRunner;
// every other job is a routed request for the processor. Batch jobs are not wrapped in containErrors:
// a Redis hiccup while writing a batch's files is worth BullMQ's retries, not a permanent failure.
// With tracing on, each run of a batch job is an activation span in the trace the batch was created under.
import type { BatchJobOutcome, BatchRunner } from '@switchyard/batch';
import { BATCH_JOB_NAMES, type BatchJobData, notStartedReason, STATE_KEY } from '@switchyard/core';
import type { JobTracer } from '@switchyard/observability';
import { type Job, UnrecoverableError } from 'bullmq';

type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

export function withBatchJobs(
  runner: BatchRunner,
  requests: Processor,
  tracer?: Pick<JobTracer, 'run'>,
): Processor {
  const traced = (job: Job, work: () => Promise<BatchJobOutcome>) =>
    tracer ? tracer.run(job, work, outcomeAttributes) : work();
  return async (job, token, signal) => {
    if (job.name === BATCH_JOB_NAMES.finalize) return traced(job, () => runner.finalize(batchJob(job)));
    if (job.name === BATCH_JOB_NAMES.expire) return traced(job, () => runner.expire(batchJob(job)));
    const batchId = unstartedBatchRequest(job);
    if (batchId) {
      const stopped = await runner.stoppedStatus(batchId);
      if (stopped) throw new UnrecoverableError(notStartedReason(batchId, stopped));
    }
    return requests(job, token, signal);
  };
}

/** The batch of a request that has made no attempt yet (the worker writes its state after the first). */
function unstartedBatchRequest(job: Job): string | undefined {
  if (!job.parentKey) return undefined;
  const data = job.data as { metadata?: { batch_id?: unknown }; [STATE_KEY]?: unknown } | null;
  const batchId = data?.metadata?.batch_id;
  return typeof batchId === 'string' && data?.[STATE_KEY] === undefined ? batchId : undefined;
}

function batchJob(job: Job): Job<BatchJobData> {
  const data = job.data as Partial<BatchJobData> | null;
  if (typeof data?.batchId !== 'string' || typeof data.retentionSec !== 'number') {
    throw new UnrecoverableError(
      `BadRequestError: a "${job.name}" job is a batch's own and needs { batchId, retentionSec }`,
    );
  }
  return job as Job<BatchJobData>;
}

/** How a batch job ended, on its span: the batch's status, and its counts once finalized. */
function outcomeAttributes(o: BatchJobOutcome) {
  const counts = o.request_counts;
  return {
    'switchyard.batch.status': o.status,
    ...(counts
      ? {
          'switchyard.batch.request_counts.total': counts.total,
          'switchyard.batch.request_counts.completed': counts.completed,
          'switchyard.batch.request_counts.failed': counts.failed,
        }
      : {}),
  };
}
