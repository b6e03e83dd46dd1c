// Closed-loop load: `callers` concurrent loops each enqueue a job and await its result before the next,
// through SwitchyardClient (one shared QueueEvents + a map of pending ids) — the same way for
// Switchyard and for the bare BullMQ baseline, so only what the workers do differs.
import { SwitchyardClient } from '@switchyard/client';
import { build } from 'hdr-histogram-js';

export interface LoadOptions {
  redisUrl: string;
  queueName: string;
  jobs: number;
  callers: number;
  body: (i: number) => Record<string, unknown>;
  /** Jobs run (not measured) first so connections, JIT and snapshots are warm. */
  warmup?: number;
  /** Called right before and right after the measured part (e.g. to snapshot Redis counters). */
  before?: () => Promise<void>;
  after?: () => Promise<void>;
}

export interface LoadResult {
  jobs: number;
  failed: number;
  elapsedMs: number;
  jobsPerSec: number;
  /** Enqueue → result, in ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function closedLoop(opts: LoadOptions): Promise<LoadResult> {
  const client = new SwitchyardClient({ redisUrl: opts.redisUrl, queueName: opts.queueName });
  try {
    await client.ready();
    if (opts.warmup) await drive(client, opts.warmup, opts.callers, opts.body);
    await opts.before?.();
    const result = await drive(client, opts.jobs, opts.callers, opts.body);
    await opts.after?.();
    return result;
  } finally {
    await client.close();
  }
}

async function drive(
  client: SwitchyardClient,
  jobs: number,
  callers: number,
  body: (i: number) => Record<string, unknown>,
): Promise<LoadResult> {
  // Microseconds, so sub-millisecond latencies keep their resolution.
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000 });
  let next = 0;
  let failed = 0;
  const loop = async () => {
    for (let i = next++; i < jobs; i = next++) {
      const t0 = performance.now();
      try {
        await client.completion(body(i));
      } catch {
        failed++;
      }
      histogram.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(callers, jobs) }, loop));
  const elapsedMs = performance.now() - started;
  const result: LoadResult = {
    jobs,
    failed,
    elapsedMs: Math.round(elapsedMs),
    jobsPerSec: Math.round((jobs / elapsedMs) * 1000),
    p50Ms: histogram.getValueAtPercentile(50) / 1000,
    p99Ms: histogram.getValueAtPercentile(99) / 1000,
    maxMs: histogram.maxValue / 1000,
  };
  histogram.destroy();
  return result;
}
