// Which pacing lane a job waits in: jobs added with a BullMQ priority (a batch's requests) are
// background, the rest interactive.
import type { PacingLane } from '@switchyard/redis-state';
import type { Job } from 'bullmq';

/** A prioritized job is already behind every unprioritized one in BullMQ; it waits behind them for capacity too. */
export function laneOf(job: Job): PacingLane {
  return (job.opts.priority ?? 0) > 0 ? 'background' : 'interactive';
}
