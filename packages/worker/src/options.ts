// Every worker option with its default, documented once (BullMQ's WorkerOptions habit). The CLI resolves
// flags and environment into these; the config file supplies the rest (queue, lock, result TTL).
import type { SwitchyardConfig } from '@switchyard/core';
import type { Logger } from 'pino';

export interface WorkerOptions {
  config: SwitchyardConfig;
  logger: Logger;
  /** Redis to use. @defaultValue `REDIS_URL`, else the config's `redis_url` / `redis_host`…, else 127.0.0.1:6379 (resolved by the CLI) */
  redisUrl?: string;
  /** BullMQ queue. @defaultValue `switchyard_settings.queue_name` ("switchyard") */
  queueName?: string;
  /** Jobs this process runs at once (flag `--concurrency`). @defaultValue 50 */
  concurrency?: number;
  /** Length of the rpm/tpm window and of the allowed_fails "minute" (env `SWITCHYARD_WINDOW_MS`, tests only). @defaultValue 60000 */
  windowMs?: number;
  /** How old a cached routing snapshot may get before a pick refreshes it. @defaultValue 250 */
  snapshotMs?: number;
  /** Successful outcomes written per Redis call (one call per event-loop turn otherwise). @defaultValue 64 */
  outcomeBatchSize?: number;
  /** In-flight lease beyond the call timeout, after which a crashed worker's slot frees itself. @defaultValue 5000 */
  leaseMarginMs?: number;
  /** Replace a BullMQ worker that is not fetching although Redis answers, after this long. @defaultValue 2000 */
  recoverMs?: number;
  /** Called when jobs wait, slots are free and nothing was fetched for `stallMs` (the CLI exits 70). */
  onFetchStall?: (waiting: number) => void;
  /** @defaultValue 60000 */
  stallMs?: number;
  /** BullMQ worker name, stored on each job it takes (`processedBy`). @defaultValue `<hostname>:<pid>` */
  name?: string;
}

/** The defaults above, for the modules that apply them. */
export const WORKER_DEFAULTS = {
  concurrency: 50,
  windowMs: 60_000,
  snapshotMs: 250,
  outcomeBatchSize: 64,
  leaseMarginMs: 5_000,
  recoverMs: 2_000,
  stallMs: 60_000,
  /** How long SIGTERM lets in-flight jobs finish. */
  drainGraceMs: 30_000,
} as const;

/** Options the environment may set (the CLI's flags win over it). */
export function workerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<WorkerOptions, 'windowMs'> {
  const windowMs = Number(env.SWITCHYARD_WINDOW_MS);
  return Number.isFinite(windowMs) && windowMs > 0 ? { windowMs } : {};
}
