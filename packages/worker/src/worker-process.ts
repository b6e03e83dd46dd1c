// A worker's lifecycle: connect, build the router, process jobs, drain on SIGTERM/SIGINT and exit 0.

import { setTimeout as delay } from 'node:timers/promises';
import { BatchRunner } from '@switchyard/batch';
import {
  type Deployment,
  groupsOf,
  loadCustomStrategy,
  type SwitchyardConfig,
  stateNamespace,
  strategyResolver,
} from '@switchyard/core';
import { createProviders } from '@switchyard/providers';
import { RoutingState } from '@switchyard/redis-state';
import { Queue, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import { withBatchJobs } from './batch-jobs.ts';
import { containErrors } from './contain-errors.ts';
import { DeploymentRouter } from './deployment-router.ts';
import { createFetchWatchdog } from './fetch-watchdog.ts';
import type { WorkerHealth } from './health-server.ts';
import { createProcessor } from './processor.ts';
import { evictionPolicyWarning, workerConnection } from './redis-connection.ts';
import { ResponseCache } from './response-cache.ts';
import { SwitchyardWorker } from './switchyard-worker.ts';

/** How long an idle worker waits for BullMQ's close before giving up on a wedged connection. */
const WEDGED_CLOSE_MS = 5_000;

export interface WorkerOptions {
  config: SwitchyardConfig;
  logger: Logger;
  redisUrl?: string;
  queueName?: string;
  concurrency?: number;
  /** Routing-window length; production is 60 s, tests shorten it. */
  windowMs?: number;
  /** Called when jobs wait, slots are free, and nothing was fetched for `stallMs` (default 60 s). */
  onFetchStall?: (waiting: number) => void;
  stallMs?: number;
}

export interface RunningWorker {
  worker: Worker;
  /** Whether this worker can take jobs now (for a health endpoint). */
  health(): WorkerHealth;
  /** Stop taking jobs, let in-flight ones finish (up to `graceMs`), then release everything. */
  close(graceMs?: number): Promise<void>;
}

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { config, logger } = opts;
  const queueName = opts.queueName ?? config.switchyard.queueName;
  const stateRedis = workerConnection(opts.redisUrl);
  // Unlistened, ioredis prints every failed reconnect to stderr during an outage; the BullMQ worker's
  // own connection already logs the outage as "worker error", and routing calls wait it out.
  stateRedis.on('error', () => {});
  const warning = await evictionPolicyWarning(stateRedis);
  if (warning) logger.warn(warning);

  const custom = config.router.customStrategyPath
    ? await loadCustomStrategy(config.router.customStrategyPath)
    : undefined;
  const strategy = strategyResolver(config.router, custom);
  const namespace = stateNamespace({ ...config.switchyard, queueName });
  const state = new RoutingState(stateRedis, { prefix: namespace, windowMs: opts.windowMs });
  const router = new DeploymentRouter(config, state, strategy);
  const providers = createProviders({ defaultTimeoutMs: config.router.timeoutMs });
  const groups: Map<string, Deployment[]> = groupsOf(config);

  const processor = createProcessor({
    config,
    groups,
    router,
    state,
    call: (req) => providers.call(req),
    logger,
    ...(config.router.cache
      ? {
          cache: new ResponseCache(stateRedis, {
            prefix: namespace,
            namespace: config.router.cache.namespace,
            maxEntryBytes: config.switchyard.cacheMaxEntryBytes,
          }),
        }
      : {}),
  });
  const bullRedis = workerConnection(opts.redisUrl);
  const prefix = config.switchyard.queuePrefix ? { prefix: config.switchyard.queuePrefix } : {};
  const concurrency = opts.concurrency ?? 50;
  const watchQueue = new Queue(queueName, { connection: stateRedis, ...prefix });
  const watchdog = createFetchWatchdog({
    queue: watchQueue,
    concurrency,
    stallMs: opts.stallMs ?? 60_000,
    onStall: (waiting) => {
      logger.error({ waiting }, 'worker stopped fetching jobs although jobs are waiting');
      opts.onFetchStall?.(waiting);
    },
  });
  const batches = new BatchRunner(stateRedis, watchQueue);
  const dispatch = withBatchJobs(batches, containErrors(processor));
  const worker = new SwitchyardWorker(queueName, watchdog.track(dispatch), {
    connection: bullRedis,
    ...prefix,
    concurrency,
    lockDuration: config.switchyard.lockDurationMs,
    // Check for stalled jobs as often as a lock can expire, so a killed worker's jobs return promptly.
    stalledInterval: config.switchyard.lockDurationMs,
    removeOnComplete: { age: config.switchyard.resultTtlSec },
    removeOnFail: { age: config.switchyard.resultTtlSec },
    autorun: true,
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'worker error'));
  worker.on('failed', (job, err) => {
    if (job) logger.info({ jobId: job.id, reason: err.message }, 'job failed');
  });
  await worker.waitUntilReady();
  watchdog.start(worker);
  logger.info({ queue: queueName, concurrency, groups: [...groups.keys()] }, 'worker ready');

  let closing: Promise<void> | undefined;
  const close = (graceMs = 30_000): Promise<void> => {
    closing ??= (async () => {
      watchdog.stop();
      const forced = setTimeout(() => {
        logger.warn({ graceMs }, 'drain deadline passed; cancelling in-flight jobs');
        worker.cancelAllJobs('worker shutting down');
        void worker.close(true);
      }, graceMs);
      // BullMQ's close waits for its blocking connection too, which after a Redis outage can stay wedged
      // (rarely, under load). Once no job of ours is running there is nothing left to drain: a few
      // seconds later we stop waiting for it.
      const idle = (async () => {
        while (watchdog.status().running > 0) await delay(50, undefined, { ref: false });
        await delay(WEDGED_CLOSE_MS, undefined, { ref: false });
        return 'wedged' as const;
      })();
      if ((await Promise.race([worker.close(), idle])) === 'wedged') {
        logger.warn(
          { afterMs: WEDGED_CLOSE_MS },
          'BullMQ close did not return with no job running; closing anyway',
        );
      }
      clearTimeout(forced);
      await processor.flush();
      await providers.close();
      await watchQueue.close();
      stateRedis.disconnect();
      bullRedis.disconnect();
    })();
    return closing;
  };
  const health = (): WorkerHealth => {
    const { running, stalled } = watchdog.status();
    const status = closing
      ? 'closing'
      : stateRedis.status !== 'ready'
        ? 'redis-unavailable'
        : stalled
          ? 'fetch-stalled'
          : 'ok';
    return { ok: status === 'ok', status, queue: queueName, concurrency, running };
  };
  return { worker, close, health };
}
