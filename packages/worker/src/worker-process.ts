// A worker's lifecycle: connect, build the router, process jobs, drain on SIGTERM/SIGINT and exit 0.

import { setTimeout as delay } from 'node:timers/promises';
import {
  ConfigError,
  clusterPrefixIssue,
  loadCustomStrategy,
  metricsEnabled,
  queueShards,
  type SwitchyardConfig,
  stateNamespace,
  strategyResolver,
} from '@switchyard/core';
import type {
  JobTracer,
  Observer,
  OtelExport,
  OutcomeEvents,
  ProcessMetrics,
} from '@switchyard/observability';
import { createProviders } from '@switchyard/providers';
import { HealthStore, type RedisClient, RoutingState, UsageStore } from '@switchyard/redis-state';
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { containErrors } from './contain-errors.ts';
import { DeploymentRouter } from './deployment-router.ts';
import { startBackgroundHealth } from './health/background-health.ts';
import { checkDeployments } from './health/health-checks.ts';
import { withHealthJobs } from './health/health-jobs.ts';
import type { WorkerHealth } from './health-server.ts';
import { LeasePool } from './lease-pool.ts';
import { followModelList } from './live-models.ts';
import { memoryCacheStore } from './memory-cache-store.ts';
import { WORKER_DEFAULTS, type WorkerOptions } from './options.ts';
import { createProcessor } from './processor.ts';
import { evictionPolicyWarning, workerConnection } from './redis-connection.ts';
import { type CacheStore, ResponseCache, redisCacheStore } from './response-cache.ts';
import { startShardConsumer } from './shard-consumer.ts';
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
  const prefixIssue = stateRedis.isCluster ? clusterPrefixIssue(config.switchyard) : undefined;
  if (prefixIssue) {
    stateRedis.disconnect();
    throw new ConfigError([prefixIssue]);
  }
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
  const leases = new LeasePool({
    maxUnits: config.switchyard.leaseUnits,
    ttlMs: config.switchyard.leaseTtlMs,
    release: (group, unused) =>
      state.releaseMany(group, unused).catch((err: Error) => {
        // Unreturned units expire on their own (window and in-flight lease TTLs).
        logger.warn({ err: err.message, group }, 'giving back leased capacity failed');
      }),
  });
  const providers = createProviders({
    defaultTimeoutMs: config.router.timeoutMs,
    defaultStreamTimeoutMs: config.router.streamTimeoutMs,
    maxAudioBytes: config.switchyard.maxAudioBytes,
  });
  const models = await followModelList({ config, redis: stateRedis, namespace, logger });
  const healthStore = new HealthStore(stateRedis, namespace);
  const healthDeps = {
    deployments: () => models.current().config.deployments,
    call: (req: Parameters<typeof providers.call>[0]) => providers.call(req),
    store: healthStore,
  };
  const backgroundHealth = config.health
    ? startBackgroundHealth({
        settings: config.health,
        store: healthStore,
        runRound: (round) => checkDeployments(healthDeps, undefined, round),
        logger,
      })
    : undefined;
  const router = new DeploymentRouter(config, state, strategy, {
    snapshotMs: opts.snapshotMs ?? WORKER_DEFAULTS.snapshotMs,
    leases,
    ...(backgroundHealth && config.health?.routing ? { unhealthy: backgroundHealth.unhealthy } : {}),
  });
  const {
    metrics,
    events,
    observe: optional,
    tracer,
    otel,
  } = await startObservers(config, stateRedis, queueName, logger);
  // Usage totals are always kept: summed here, written once a second (switchyard usage, GET /usage).
  const usage = new UsageRecorder(new UsageStore(stateRedis, namespace), logger, {
    noteFirstUse: (uses) => healthStore.noteFirstUse(uses),
  });
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
    ...(tracer ? { tracer } : {}),
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
  const concurrency = opts.concurrency ?? WORKER_DEFAULTS.concurrency;
  const dispatch = withHealthJobs((group) => checkDeployments(healthDeps, group), containErrors(processor));
  // Every worker consumes every shard: one fetching BullMQ Worker (and its watchdog) per shard.
  const shards = await Promise.all(
    queueShards({ ...config.switchyard, queueName }).map((shard) =>
      startShardConsumer({ opts, shard, concurrency, stateRedis, dispatch, tracer }),
    ),
  );
  logger.info(
    { queue: queueName, shards: shards.length, concurrency, groups: [...models.current().groups.keys()] },
    'worker ready',
  );

  let closing: Promise<void> | undefined;
  const close = (graceMs: number = WORKER_DEFAULTS.drainGraceMs): Promise<void> => {
    closing ??= (async () => {
      for (const shard of shards) shard.watchdog.stop();
      backgroundHealth?.close();
      await Promise.all(shards.map((shard) => shard.consumer.close(graceMs)));
      await processor.flush();
      await usage.close();
      // A sink that never answers must not hold the exit: its undelivered events are dropped.
      if (events) await Promise.race([events.flush(), delay(EVENTS_FLUSH_MS, undefined, { ref: false })]);
      if (otel) await Promise.race([otel.shutdown(), delay(EVENTS_FLUSH_MS, undefined, { ref: false })]);
      models.close();
      await providers.close();
      await Promise.all(shards.map((shard) => shard.watchQueue.close()));
      stateRedis.disconnect();
    })();
    return closing;
  };
  const health = (): WorkerHealth => {
    const statuses = shards.map((shard) => shard.watchdog.status());
    const jobs = statuses.reduce((sum, st) => sum + st.running, 0);
    const stuck = statuses.some((st) => st.stuck);
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
      return shards[0]!.consumer.worker;
    },
    get replacements() {
      return shards.reduce((sum, shard) => sum + shard.consumer.replacements, 0);
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
): Promise<{
  metrics?: ProcessMetrics;
  events?: OutcomeEvents;
  observe?: Observer;
  tracer?: JobTracer;
  otel?: OtelExport;
}> {
  const wantMetrics = metricsEnabled(config);
  const { otel: wantTraces, sinks } = config.callbacks;
  if (!wantMetrics && !config.switchyard.events && sinks.length === 0 && !wantTraces) return {};
  const obs = await import('@switchyard/observability');
  const metrics = wantMetrics ? new obs.ProcessMetrics() : undefined;
  const tracer = wantTraces ? new obs.JobTracer({ queueName }) : undefined;
  const otel = wantTraces ? await obs.startOtelExport(logger) : undefined;
  const events = await obs.createOutcomeEvents({
    config,
    redis,
    queueName,
    onDrop: obs.dropReporter(logger, metrics && ((name, n) => metrics.callbackDropped(name, n))),
  });
  const observers = [metrics?.observe, events?.observe, tracer?.observe].filter(
    (o): o is Observer => o !== undefined,
  );
  const observe = obs.fanOut(observers, (err) =>
    logger.warn({ err: (err as Error).message }, 'observer failed'),
  );
  return {
    ...(metrics ? { metrics } : {}),
    ...(events ? { events } : {}),
    ...(tracer ? { tracer } : {}),
    ...(otel ? { otel } : {}),
    observe,
  };
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
