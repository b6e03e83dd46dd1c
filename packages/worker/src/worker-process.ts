// A worker's lifecycle: connect, build the router, process jobs, drain on SIGTERM/SIGINT and exit 0.

import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { BatchRunner } from '@switchyard/batch';
import {
  loadCustomStrategy,
  metricsEnabled,
  type SwitchyardConfig,
  stateNamespace,
  strategyResolver,
} from '@switchyard/core';
import type { Observer, OutcomeEvents, ProcessMetrics } from '@switchyard/observability';
import { createProviders } from '@switchyard/providers';
import { type RedisClient, RoutingState, UsageStore } from '@switchyard/redis-state';
import { Queue, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import { withBatchJobs } from './batch-jobs.ts';
import { Consumer } from './consumer.ts';
import { containErrors } from './contain-errors.ts';
import { DeploymentRouter } from './deployment-router.ts';
import { createFetchWatchdog } from './fetch-watchdog.ts';
import type { WorkerHealth } from './health-server.ts';
import { followModelList } from './live-models.ts';
import { memoryCacheStore } from './memory-cache-store.ts';
import { WORKER_DEFAULTS, type WorkerOptions } from './options.ts';
import { createProcessor } from './processor.ts';
import { evictionPolicyWarning, workerConnection } from './redis-connection.ts';
import { type CacheStore, ResponseCache, redisCacheStore } from './response-cache.ts';
import { UsageRecorder } from './usage-recorder.ts';

/** How long a closing worker waits for callback sinks to take the last events. */
const EVENTS_FLUSH_MS = 5_000;

export interface RunningWorker {
  /** The BullMQ worker fetching now (a new one after each in-process recovery). */
  readonly worker: Worker;
  /** How many times the BullMQ worker was replaced because it had stopped fetching. */
  readonly replacements: number;
  /** Whether this worker can take jobs now (for a health endpoint). */
  health(): WorkerHealth;
  /** This process's Prometheus metrics, when the config turns them on. */
  metrics?: ProcessMetrics;
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
  const state = new RoutingState(stateRedis, {
    prefix: namespace,
    windowMs: opts.windowMs ?? WORKER_DEFAULTS.windowMs,
  });
  const router = new DeploymentRouter(config, state, strategy, {
    snapshotMs: opts.snapshotMs ?? WORKER_DEFAULTS.snapshotMs,
  });
  const providers = createProviders({
    defaultTimeoutMs: config.router.timeoutMs,
    defaultStreamTimeoutMs: config.router.streamTimeoutMs,
  });
  const models = await followModelList({ config, redis: stateRedis, namespace, logger });
  const { metrics, events, observe: optional } = await startObservers(config, stateRedis, queueName, logger);
  // Usage totals are always kept: summed here, written once a second (switchyard usage, GET /usage).
  const usage = new UsageRecorder(new UsageStore(stateRedis, namespace), logger);
  const observe = withUsage(usage, optional, logger);

  const processor = createProcessor({
    config,
    models,
    router,
    state,
    call: (req) => providers.call(req),
    streaming: { open: (req) => providers.stream(req), redis: stateRedis, namespace },
    logger,
    outcomeBatchSize: opts.outcomeBatchSize ?? WORKER_DEFAULTS.outcomeBatchSize,
    leaseMarginMs: opts.leaseMarginMs ?? WORKER_DEFAULTS.leaseMarginMs,
    observe,
    ...(config.router.cache
      ? {
          cache: new ResponseCache(cacheStore(config, stateRedis, logger), {
            prefix: namespace,
            namespace: config.router.cache.namespace,
            maxEntryBytes: config.switchyard.cacheMaxEntryBytes,
          }),
        }
      : {}),
  });
  const prefix = config.switchyard.queuePrefix ? { prefix: config.switchyard.queuePrefix } : {};
  const concurrency = opts.concurrency ?? WORKER_DEFAULTS.concurrency;
  const watchQueue = new Queue(queueName, { connection: stateRedis, ...prefix });
  watchQueue.on('error', () => {}); // the watchdog skips a check Redis cannot answer
  let consumer: Consumer | undefined;
  const watchdog = createFetchWatchdog({
    queue: watchQueue,
    concurrency,
    recoverMs: opts.recoverMs ?? WORKER_DEFAULTS.recoverMs,
    stallMs: opts.stallMs ?? WORKER_DEFAULTS.stallMs,
    onRecover: (why) => consumer?.replace(why),
    onStall: (waiting) => {
      logger.error({ waiting }, 'worker stopped fetching jobs although jobs are waiting');
      opts.onFetchStall?.(waiting);
    },
  });
  const batches = new BatchRunner(stateRedis, watchQueue);
  const dispatch = withBatchJobs(batches, containErrors(processor));
  consumer = new Consumer({
    queueName,
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
        if (worker === consumer?.worker) logger.error({ err: err.message }, 'worker error');
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
  logger.info({ queue: queueName, concurrency, groups: [...models.current().groups.keys()] }, 'worker ready');

  let closing: Promise<void> | undefined;
  const close = (graceMs: number = WORKER_DEFAULTS.drainGraceMs): Promise<void> => {
    closing ??= (async () => {
      watchdog.stop();
      await running.close(graceMs);
      await processor.flush();
      await usage.close();
      // A sink that never answers must not hold the exit: its undelivered events are dropped.
      if (events) await Promise.race([events.flush(), delay(EVENTS_FLUSH_MS, undefined, { ref: false })]);
      models.close();
      await providers.close();
      await watchQueue.close();
      stateRedis.disconnect();
    })();
    return closing;
  };
  const health = (): WorkerHealth => {
    const { running: jobs, stuck } = watchdog.status();
    const status = closing
      ? 'closing'
      : stateRedis.status !== 'ready'
        ? 'redis-unavailable'
        : stuck
          ? 'fetch-stalled'
          : 'ok';
    return { ok: status === 'ok', status, queue: queueName, concurrency, running: jobs };
  };
  return {
    get worker() {
      return running.worker;
    },
    get replacements() {
      return running.replacements;
    },
    close,
    health,
    ...(metrics ? { metrics } : {}),
  };
}

/**
 * Metrics, the event stream and callback sinks, as the config asks: one observer for the pipeline.
 * The package is loaded only when one of them is on (prom-client costs every worker start-up time).
 */
async function startObservers(
  config: SwitchyardConfig,
  redis: RedisClient,
  queueName: string,
  logger: Logger,
): Promise<{ metrics?: ProcessMetrics; events?: OutcomeEvents; observe?: Observer }> {
  const wantMetrics = metricsEnabled(config);
  if (!wantMetrics && !config.switchyard.events && config.callbacks.sinks.length === 0) return {};
  const obs = await import('@switchyard/observability');
  const metrics = wantMetrics ? new obs.ProcessMetrics() : undefined;
  const events = await obs.createOutcomeEvents({
    config,
    redis,
    queueName,
    onDrop: obs.dropReporter(logger, metrics && ((name, n) => metrics.callbackDropped(name, n))),
  });
  const observers = [metrics?.observe, events?.observe].filter((o): o is Observer => o !== undefined);
  const observe = obs.fanOut(observers, (err) =>
    logger.warn({ err: (err as Error).message }, 'observer failed'),
  );
  return { ...(metrics ? { metrics } : {}), ...(events ? { events } : {}), observe };
}

/** The usage recorder first, then the configured observers; neither may reach the job. */
function withUsage(usage: UsageRecorder, other: Observer | undefined, logger: Logger): Observer {
  return (o) => {
    try {
      usage.observe(o);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'usage observer failed');
    }
    other?.(o);
  };
}

/** The response cache's store: the workers' Redis, or with `type: local` this process's memory (said at start). */
function cacheStore(config: SwitchyardConfig, redis: RedisClient, logger: Logger): CacheStore {
  if (config.router.cache?.type !== 'local') return redisCacheStore(redis);
  logger.info(
    'response cache: local, in this worker process only; other worker processes do not share its answers',
  );
  return memoryCacheStore();
}
