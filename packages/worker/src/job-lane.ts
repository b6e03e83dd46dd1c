// Which pacing lane the job being processed waits in: jobs added with a BullMQ priority (a batch's
// requests) are background, the rest interactive. Set around the processor by the job dispatcher and
// read by the deployment router, so the lane reaches the reserve call without threading it through
// every stage of the processor (until the processor's job context carries it explicitly).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PacingLane } from '@switchyard/redis-state';
import type { Job } from 'bullmq';

const lane = new AsyncLocalStorage<PacingLane>();

/** A prioritized job is already behind every unprioritized one in BullMQ; it waits behind them for capacity too. */
export function laneOf(job: Job): PacingLane {
  return (job.opts.priority ?? 0) > 0 ? 'background' : 'interactive';
}

export function runInLane<T>(jobLane: PacingLane, fn: () => T): T {
  return lane.run(jobLane, fn);
}

export function currentLane(): PacingLane | undefined {
  return lane.getStore();
}
