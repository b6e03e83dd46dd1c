// The `health.check` job (data `{ model?: group }`): the gateway's GET /health and the SDK's healthCheck()
// put one on the queue and a worker — which has the credentials — runs the checks and returns the report.
import { HEALTH_JOB_NAME, type HealthReport } from '@switchyard/core';
import { type Job, UnrecoverableError } from 'bullmq';

type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

export function withHealthJobs(check: (group?: string) => Promise<HealthReport>, next: Processor): Processor {
  return async (job, token, signal) => {
    if (job.name !== HEALTH_JOB_NAME) return next(job, token, signal);
    const model = (job.data as { model?: unknown } | null)?.model;
    if (model !== undefined && (typeof model !== 'string' || model === '')) {
      throw new UnrecoverableError('BadRequestError: a health.check job takes { model?: <model group> }');
    }
    return check(model);
  };
}
