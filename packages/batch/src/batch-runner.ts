// The worker's side of a batch: the flow's parent job writes the output and error files once every
// request has settled; the delayed expire job withdraws the requests not started by the deadline.
import {
  assembleResults,
  type BatchJobData,
  finishBatch,
  TERMINAL_BATCH_STATUSES,
  toJsonl,
} from '@switchyard/core';
import type { RedisClient } from '@switchyard/redis-state';
import { Job, type Queue } from 'bullmq';
import { type BatchStoreParts, batchStoreParts } from './batch-service.ts';
import { outputFileId } from './ids.ts';
import type { BatchStoreOptions } from './options.ts';

export interface BatchJobOutcome {
  batchId: string;
  status: string;
  request_counts?: { total: number; completed: number; failed: number };
}

/** How long a worker trusts what it read about a batch being stopped (one read per batch, not per job). */
const STOPPED_CACHE_MS = 500;

export class BatchRunner {
  readonly #parts: BatchStoreParts;
  readonly #stopped = new Map<string, { at: number; status: string | undefined }>();

  constructor(redis: RedisClient, queue: Queue, options: BatchStoreOptions = {}) {
    this.#parts = batchStoreParts(redis, queue, options);
  }

  /**
   * Runs as the flow's parent job. Idempotent: a worker killed half-way leaves the job to be run again,
   * and the files have fixed ids, so a second run overwrites what the first wrote.
   */
  async finalize(job: Job<BatchJobData>): Promise<BatchJobOutcome> {
    const { records, files, redis, keys, queue } = this.#parts;
    const { batchId, retentionSec } = job.data;
    const current = await records.get(batchId);
    if (!current || TERMINAL_BATCH_STATUSES.has(current.status)) {
      return { batchId, status: current?.status ?? 'gone' };
    }
    const nowSec = () => Math.floor(Date.now() / 1000);
    await records.update(batchId, (b) =>
      b.status === 'in_progress' || b.status === 'validating'
        ? { ...b, status: 'finalizing', finalizing_at: nowSec() }
        : undefined,
    );
    const plan = (await records.plan(batchId)) ?? { slots: [], invalid: [] };
    // The output files belong to whoever owns the batch.
    const owner = await records.owners.of(batchId);
    const [values, failed, expired] = await Promise.all([
      job.getChildrenValues(),
      job.getIgnoredChildrenFailures(),
      redis.exists(keys.expired(batchId)),
    ]);
    const results = assembleResults({
      batchId,
      slots: plan.slots,
      invalid: plan.invalid,
      results: byJobId(values),
      failures: byJobId(failed) as Map<string, string>,
      expired: expired === 1,
    });
    const write = async (kind: 'output' | 'errors', lines: readonly unknown[]) =>
      lines.length === 0
        ? null
        : (
            await files.put(
              {
                id: outputFileId(batchId, kind),
                purpose: 'batch_output',
                filename: `${batchId}_${kind === 'output' ? 'output' : 'error'}.jsonl`,
                content: Buffer.from(toJsonl(lines)),
                ...(owner !== undefined ? { owner } : {}),
              },
              { retentionSec },
            )
          ).id;
    const outputId = await write('output', results.output);
    const errorId = await write('errors', results.errors);
    // Before the batch reads as finished, so nothing of it is left in the queue once it does.
    await queue.remove(`${batchId}-expire`).catch(() => {});
    const finished = await records.update(
      batchId,
      (b) =>
        TERMINAL_BATCH_STATUSES.has(b.status)
          ? undefined
          : finishBatch(b, {
              expired: expired === 1,
              counts: results.counts,
              outputFileId: outputId,
              errorFileId: errorId,
              nowSec: nowSec(),
            }),
      retentionSec,
    );
    await redis.del(keys.plan(batchId), keys.expired(batchId));
    return { batchId, status: finished?.status ?? 'gone', request_counts: results.counts };
  }

  /**
   * Whether a batch has been cancelled or has expired, so a request of it that a worker picked up only
   * now must not start (removing the waiting requests cannot reach the ones a worker holds that moment).
   * Undefined while it runs.
   */
  async stoppedStatus(batchId: string): Promise<string | undefined> {
    const cached = this.#stopped.get(batchId);
    if (cached && Date.now() - cached.at < STOPPED_CACHE_MS) return cached.status;
    const { redis, keys } = this.#parts;
    const [raw, expired] = await redis.mget(keys.batch(batchId), keys.expired(batchId));
    const status = raw ? (JSON.parse(raw) as { status: string }).status : undefined;
    const stopped =
      expired !== null ? 'expired' : status === 'cancelling' || status === 'cancelled' ? status : undefined;
    if (this.#stopped.size > 1000) this.#stopped.clear();
    this.#stopped.set(batchId, { at: Date.now(), status: stopped });
    return stopped;
  }

  /** At the batch deadline: mark it expired and remove its requests that have not started. */
  async expire(job: Job<BatchJobData>): Promise<BatchJobOutcome> {
    const { records, redis, keys, queue } = this.#parts;
    const { batchId, retentionSec } = job.data;
    const current = await records.get(batchId);
    if (!current || TERMINAL_BATCH_STATUSES.has(current.status)) {
      return { batchId, status: current?.status ?? 'gone' };
    }
    await redis.set(keys.expired(batchId), '1', 'EX', retentionSec);
    const parent = await Job.fromId(queue, batchId);
    await parent?.removeUnprocessedChildren();
    return { batchId, status: 'expiring' };
  }
}

/** Children are keyed `<prefix>:<queue>:<jobId>`; job ids never contain ':'. */
function byJobId(values: Record<string, unknown>): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const [key, value] of Object.entries(values)) map.set(key.slice(key.lastIndexOf(':') + 1), value);
  return map;
}
