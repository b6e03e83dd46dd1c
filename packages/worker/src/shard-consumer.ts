// One shard of the queue as this worker consumes it: a BullMQ Worker (replaceable in place when its fetch
// loop wedges), the watchdog that checks it fetches, and the batch jobs that arrive on it.
import { hostname } from 'node:os';
import { BatchRunner } from '@switchyard/batch';
import type { QueueShard } from '@switchyard/core';
import type { JobTracer } from '@switchyard/observability';
import type { RedisClient } from '@switchyard/redis-state';
import { Queue } from 'bullmq';
import { withBatchJobs } from './batch-jobs.ts';
import { Consumer } from './consumer.ts';
import type { containErrors } from './contain-errors.ts';
import { createFetchWatchdog } from './fetch-watchdog.ts';
import { WORKER_DEFAULTS, type WorkerOptions } from './options.ts';
import { workerConnection } from './redis-connection.ts';

export interface ShardConsumer {
  consumer: Consumer;
  watchdog: ReturnType<typeof createFetchWatchdog>;
  watchQueue: Queue;
}

/** One shard's BullMQ Worker (replaceable in place), the watchdog that checks it fetches, and batch jobs. */
export async function startShardConsumer(parts: {
  opts: WorkerOptions;
  shard: QueueShard;
  concurrency: number;
  stateRedis: RedisClient;
  dispatch: ReturnType<typeof containErrors>;
  /** Traces the batch jobs as the processor traces requests (present when tracing is on). */
  tracer?: Pick<JobTracer, 'run'> | undefined;
}): Promise<ShardConsumer> {
  const { opts, shard, concurrency, stateRedis } = parts;
  const { config, logger } = opts;
  const prefix = { prefix: shard.prefix };
  const watchQueue = new Queue(shard.name, { connection: stateRedis, ...prefix });
  watchQueue.on('error', () => {}); // the watchdog skips a check Redis cannot answer
  let consumer: Consumer | undefined;
  const watchdog = createFetchWatchdog({
    queue: watchQueue,
    concurrency,
    recoverMs: opts.recoverMs ?? WORKER_DEFAULTS.recoverMs,
    stallMs: opts.stallMs ?? WORKER_DEFAULTS.stallMs,
    onRecover: (why) => consumer?.replace({ ...why, shard: shard.index }),
    onStall: (waiting) => {
      logger.error({ waiting, shard: shard.index }, 'worker stopped fetching jobs although jobs are waiting');
      opts.onFetchStall?.(waiting);
    },
  });
  const batches = new BatchRunner(stateRedis, watchQueue);
  const dispatch = withBatchJobs(batches, parts.dispatch, parts.tracer);
  consumer = new Consumer({
    queueName: shard.name,
    processor: watchdog.track(dispatch),
    connect: () => workerConnection(opts.redisUrl),
    logger,
    options: {
      ...prefix,
      name: opts.name ?? `${hostname()}:${process.pid}`,
      concurrency,
      lockDuration: config.switchyard.lockDurationMs,
      // Check for stalled jobs as often as a lock can expire, so a killed worker's jobs return promptly.
      stalledInterval: config.switchyard.lockDurationMs,
      removeOnComplete: { age: config.switchyard.resultTtlSec },
      removeOnFail: { age: config.switchyard.resultTtlSec },
      // A fetch that failed on a connection error is retried after 1 s instead of BullMQ's 15 s.
      runRetryDelay: 1_000,
    },
    listen: (worker) => {
      worker.on('error', (err) => {
        // A replaced worker's connections are cut on purpose; only the fetching one's errors matter.
        if (worker === consumer?.worker)
          logger.error({ err: err.message, shard: shard.index }, 'worker error');
      });
      worker.on('failed', (job, err) => {
        if (job) logger.info({ jobId: job.id, reason: err.message }, 'job failed');
      });
      worker.on('drained', () => watchdog.drained());
    },
  });
  const running = consumer;
  await running.waitUntilReady();
  watchdog.start(() => running.worker);
  return { consumer: running, watchdog, watchQueue };
}
