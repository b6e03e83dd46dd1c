// BullMQ's Worker, tolerant of job data that is not JSON (a hand-written producer in any language).
import { type Job, type JobJson, Worker } from 'bullmq';
import { UnparseableJobData } from './job-data.ts';

export class SwitchyardWorker extends Worker {
  /**
   * BullMQ parses job data while fetching; a parse error there escapes the processor, so the job
   * sits active until stalled-job recovery gives up on it minutes later with a reason in no
   * taxonomy. Decode such a job with a marker instead: the processor fails it with BadRequestError.
   */
  protected override createJob(data: JobJson, jobId: string): Job {
    try {
      return super.createJob(data, jobId);
    } catch (err) {
      const job = super.createJob({ ...data, data: 'null' }, jobId);
      job.data = new UnparseableJobData((err as Error).message);
      return job;
    }
  }
}
