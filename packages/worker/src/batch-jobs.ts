// Dispatch by job name: a batch's own jobs (the flow's parent, the deadline) go to the BatchRunner;
// every other job is a routed request for the processor. Batch jobs are not wrapped in containErrors:
// a Redis hiccup while writing a batch's files is worth BullMQ's retries, not a permanent failure.
import type { BatchRunner } from '@switchyard/batch';
import { BATCH_JOB_NAMES, type BatchJobData, notStartedReason, STATE_KEY } from '@switchyard/core';
import { type Job, UnrecoverableError } from 'bullmq';

type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

export function withBatchJobs(runner: BatchRunner, requests: Processor): Processor {
  return async (job, token, signal) => {
    if (job.name === BATCH_JOB_NAMES.finalize) return runner.finalize(batchJob(job));
    if (job.name === BATCH_JOB_NAMES.expire) return runner.expire(batchJob(job));
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
