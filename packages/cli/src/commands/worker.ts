// `switchyard worker`: one worker process; SIGTERM/SIGINT drain in-flight jobs, then exit 0.
import { createLogger, startHealthServer, startWorker } from '@switchyard/worker';
import { loadConfigOrExit } from '../load-config.ts';
import { exitOnSignals } from '../shutdown.ts';

const DRAIN_GRACE_MS = 30_000;
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
  const windowMs = process.env.SWITCHYARD_WINDOW_MS ? Number(process.env.SWITCHYARD_WINDOW_MS) : undefined;
  const running = await startWorker({
    config,
    logger,
    concurrency: opts.concurrency,
    ...(opts.queue ? { queueName: opts.queue } : {}),
    ...(windowMs ? { windowMs } : {}),
    // Jobs are safe in Redis; a process that stopped fetching is better restarted by its supervisor.
    onFetchStall: () => process.exit(FETCH_STALL_EXIT_CODE),
  });
  // A drain that cannot finish (a Redis connection that never came back) must not keep the process
  // alive forever: unfinished jobs return to the queue through stalled-job recovery.
  const health =
    opts.healthPort === undefined
      ? undefined
      : await startHealthServer({ port: opts.healthPort, health: () => running.health() });
  if (health) logger.info({ port: health.port }, 'health endpoint listening');
  exitOnSignals({
    logger,
    what: 'worker',
    closingMessage: 'draining in-flight jobs',
    close: async () => {
      await running.close(DRAIN_GRACE_MS);
      await health?.close();
    },
    deadlineMs: DRAIN_GRACE_MS + HARD_EXIT_MARGIN_MS,
  });
  process.send?.({ type: 'ready' });
}
