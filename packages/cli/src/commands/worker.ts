// `switchyard worker`: one worker process; SIGTERM/SIGINT drain in-flight jobs, then exit 0.
import { createLogger, startWorker } from '@switchyard/worker';
import { loadConfigOrExit } from '../load-config.ts';

const DRAIN_GRACE_MS = 30_000;
const HARD_EXIT_MARGIN_MS = 10_000;

export async function runWorker(opts: {
  config: string;
  concurrency: number;
  queue?: string;
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
  });
  const stop = (signal: string) => {
    logger.info({ signal }, 'draining in-flight jobs');
    // A drain that cannot finish (a Redis connection that never came back) must not keep the process
    // alive forever: unfinished jobs return to the queue through stalled-job recovery.
    setTimeout(() => {
      logger.error({ graceMs: DRAIN_GRACE_MS }, 'drain did not finish; exiting');
      process.exit(1);
    }, DRAIN_GRACE_MS + HARD_EXIT_MARGIN_MS).unref();
    running.close(DRAIN_GRACE_MS).then(
      () => {
        logger.info('worker stopped');
        process.exit(0);
      },
      (err: Error) => {
        logger.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.send?.({ type: 'ready' });
}
