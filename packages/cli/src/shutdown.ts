// One shutdown path for long-running commands: SIGTERM/SIGINT close gracefully and exit 0; a close that
// fails or hangs past its deadline exits 1 (a supervisor restarts it; queued work is never held by it).
import type { Logger } from 'pino';

export interface ShutdownOptions {
  logger: Logger;
  /** What stops: "worker", "gateway". */
  what: string;
  /** Logged when the signal arrives ("draining in-flight jobs"). */
  closingMessage: string;
  close: () => Promise<void>;
  /** Hard deadline for `close`, in ms. */
  deadlineMs: number;
}

export function exitOnSignals(opts: ShutdownOptions): void {
  const { logger } = opts;
  const stop = (signal: string) => {
    logger.info({ signal }, opts.closingMessage);
    setTimeout(() => {
      logger.error({ deadlineMs: opts.deadlineMs }, `${opts.what} did not stop in time; exiting`);
      process.exit(1);
    }, opts.deadlineMs).unref();
    opts.close().then(
      () => {
        logger.info(`${opts.what} stopped`);
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
}
