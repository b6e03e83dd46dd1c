// `switchyard worker`: one worker process; SIGTERM/SIGINT drain in-flight jobs, then exit 0.
import { ConfigError } from '@switchyard/core';
import {
  createLogger,
  type HealthServer,
  startHealthServer,
  startWorker,
  WORKER_DEFAULTS,
  workerOptionsFromEnv,
} from '@switchyard/worker';
import { loadConfigOrExit } from '../load-config.ts';
import { redisTarget } from '../redis-target.ts';
import { exitOnSignals } from '../shutdown.ts';

const DRAIN_GRACE_MS = WORKER_DEFAULTS.drainGraceMs;
const HARD_EXIT_MARGIN_MS = 10_000;
/** EX_SOFTWARE: distinguishes "stopped fetching" from a crash in a supervisor's logs. */
const FETCH_STALL_EXIT_CODE = 70;

export async function runWorker(opts: {
  config: string;
  concurrency: number;
  queue?: string;
  healthPort?: number;
}): Promise<void> {
  const config = loadConfigOrExit(opts.config);
  const logger = createLogger();
  const redis = redisTarget(config);
  logger.info({ redis: redis.displayUrl, from: redis.source }, 'redis');
  const starting = startWorker({
    config,
    logger,
    redisUrl: redis.url,
    concurrency: opts.concurrency,
    ...(opts.queue ? { queueName: opts.queue } : {}),
    ...workerOptionsFromEnv(),
    // Jobs are safe in Redis; a process that stopped fetching is better restarted by its supervisor.
    onFetchStall: () => process.exit(FETCH_STALL_EXIT_CODE),
  });
  let health: HealthServer | undefined;
  // Handlers go in before "worker ready" can be seen: a SIGTERM sent on that line must drain, not kill.
  // A drain that cannot finish (a Redis connection that never came back) must not keep the process
  // alive forever: unfinished jobs return to the queue through stalled-job recovery.
  exitOnSignals({
    logger,
    what: 'worker',
    closingMessage: 'draining in-flight jobs',
    close: async () => {
      await (await starting).close(DRAIN_GRACE_MS);
      await health?.close();
    },
    deadlineMs: DRAIN_GRACE_MS + HARD_EXIT_MARGIN_MS,
  });
  const running = await starting.catch((err: unknown) => {
    // Config that only the Redis can show wrong (an untagged prefix on a cluster): exit as a bad config does.
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`switchyard: invalid config ${opts.config}\n${err.message}\n`);
    process.exit(2);
  });
  if (opts.healthPort !== undefined) {
    const { metrics } = running;
    health = await startHealthServer({
      port: opts.healthPort,
      health: () => running.health(),
      ...(metrics ? { metrics: () => metrics.render() } : {}),
    });
    logger.info({ port: health.port }, 'health endpoint listening');
  }
  process.send?.({ type: 'ready' });
}
