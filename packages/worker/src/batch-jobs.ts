// Dispatch by job name: a batch's own jobs (the flow's parent, the deadline) go to the BatchRunner;
// every other job is a routed request for the processor. Batch jobs are not wrapped in containErrors:
// a Redis hiccup while writing a batch's files is worth BullMQ's retries, not a permanent failure.
import type { BatchRunner } from '@switchyard/batch';
import { BATCH_JOB_NAMES, type BatchJobData } from '@switchyard/core';
import { type Job, UnrecoverableError } from 'bullmq';

type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

export function withBatchJobs(runner: BatchRunner, requests: Processor): Processor {
  return async (job, token, signal) => {
    if (job.name === BATCH_JOB_NAMES.finalize) return runner.finalize(batchJob(job));
    if (job.name === BATCH_JOB_NAMES.expire) return runner.expire(batchJob(job));
    return requests(job, token, signal);
  };
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
