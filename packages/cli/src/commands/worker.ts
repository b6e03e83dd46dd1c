// `switchyard worker`: one worker process; SIGTERM/SIGINT drain in-flight jobs, then exit 0.
import { createLogger, startWorker } from '@switchyard/worker';
import { loadConfigOrExit } from '../load-config.ts';

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
    running.close().then(
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
