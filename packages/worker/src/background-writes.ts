// Writes nobody waits for (cache stores): tracked so a graceful shutdown can await them.
import type { Logger } from 'pino';
import { classify } from './job/attempt.ts';

/** Writes that finish after the job's result; failures are logged, the lease expiry covers them. */
export function createBackgroundWrites(logger: Logger) {
  const pending = new Set<Promise<unknown>>();
  return {
    add(write: Promise<unknown>): void {
      const tracked = write
        .catch((err: unknown) => logger.warn({ err: classify(err).message }, 'background write failed'))
        .finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    async flush(): Promise<void> {
      await Promise.all(pending);
    },
  };
}
