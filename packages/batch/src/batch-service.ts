// The Files + Batch API over Redis and BullMQ: create a batch from an uploaded JSONL file as one flow
// (a parent job whose children are the requests), read it with live counts, list it, cancel it.
import {
  BATCH_ENDPOINTS,
  BATCH_JOB_NAMES,
  type BatchEndpoint,
  type BatchJobData,
  type BatchObject,
  type BatchSlot,
  cancelBatch,
  completionWindowSeconds,
  countInputLines,
  failValidation,
  isBatchEndpoint,
  newBatchObject,
  type ProducerParent,
  parseBatchInput,
  startBatch,
  TERMINAL_BATCH_STATUSES,
  tracedAdd,
  withLiveCounts,
} from '@switchyard/core';
import type { RedisClient } from '@switchyard/redis-state';
import { type FlowJob, FlowProducer, Job, type Queue } from 'bullmq';
import { BatchApiError } from './errors.ts';
import { FileStore } from './file-store.ts';
import { newBatchId, requestJobId } from './ids.ts';
import { type StoreKeys, storeKeys } from './keys.ts';
import { BATCH_STORE_DEFAULTS, type BatchStoreOptions, LIMIT_KNOBS } from './options.ts';
import { ADMIN, type Caller } from './owners.ts';
import { RecordStore } from './record-store.ts';

/**
 * BullMQ priority of a batch's requests. Jobs added without a priority are always taken first, and
 * among prioritized jobs a smaller number goes first, so interactive work overtakes a batch's backlog.
 */
export const BATCH_PRIORITY = 2 ** 20;

/** The body of `POST /v1/batches`, unchecked: `create` validates every field with OpenAI-style errors. */
export interface CreateBatchRequest {
  input_file_id?: unknown;
  endpoint?: unknown;
  completion_window?: unknown;
  metadata?: unknown;
}

/** The pieces of a batch store shared by the API side (this class) and the worker side (BatchRunner). */
export interface BatchStoreParts {
  redis: RedisClient;
  queue: Queue;
  keys: StoreKeys;
  files: FileStore;
  records: RecordStore;
  options: Required<BatchStoreOptions>;
}

export function batchStoreParts(
  redis: RedisClient,
  queue: Queue,
  options: BatchStoreOptions = {},
): BatchStoreParts {
  const opts = { ...BATCH_STORE_DEFAULTS, ...stripUndefined(options) };
  const keys = storeKeys(queue.opts.prefix ?? 'bull', queue.name);
  return {
    redis,
    queue,
    keys,
    files: new FileStore(redis, keys, opts),
    records: new RecordStore(redis, keys),
    options: opts,
  };
}

export class BatchService {
  readonly files: FileStore;
  readonly #parts: BatchStoreParts;
  readonly #flows: FlowProducer;

  constructor(redis: RedisClient, queue: Queue, options: BatchStoreOptions = {}) {
    this.#parts = batchStoreParts(redis, queue, options);
    this.files = this.#parts.files;
    this.#flows = new FlowProducer({ connection: redis, prefix: queue.opts.prefix ?? 'bull' });
    this.#flows.on('error', () => {});
  }

  get options(): Required<BatchStoreOptions> {
    return this.#parts.options;
  }

  /**
   * `batchId` lets a caller that awaits the requests' results know their job ids before they exist.
   * `caller` must be able to see the input file, and owns the batch (and so its output files).
   * Its requests continue `traceContext` (default: the active context) as single jobs do.
   */
  async create(
    req: CreateBatchRequest,
    opts: { batchId?: string; caller?: Caller } & ProducerParent = {},
  ): Promise<BatchObject> {
    const caller = opts.caller ?? ADMIN;
    const { files, records, options, queue } = this.#parts;
    if (typeof req.input_file_id !== 'string' || req.input_file_id === '') {
      throw new BatchApiError(400, 'invalid_request', 'input_file_id must be a file id', 'input_file_id');
    }
    if (!isBatchEndpoint(req.endpoint)) {
      throw new BatchApiError(
        400,
        'invalid_request',
        `endpoint must be one of ${Object.keys(BATCH_ENDPOINTS).join(', ')}`,
        'endpoint',
      );
    }
    const windowSec = completionWindowSeconds(req.completion_window);
    if (windowSec === undefined) {
      throw new BatchApiError(
        400,
        'invalid_request',
        'completion_window must be a duration such as "24h" (OpenAI\'s only value), "90m" or "30s"',
        'completion_window',
      );
    }
    const metadata = checkMetadata(req.metadata);
    const file = await files.require(req.input_file_id, caller);
    if (file.purpose !== 'batch') {
      throw new BatchApiError(
        400,
        'invalid_request',
        `file ${file.id} has purpose "${file.purpose}", not "batch"`,
        'input_file_id',
      );
    }
    const text = (await files.content(file.id))?.toString('utf8') ?? '';
    const lines = countInputLines(text);
    if (lines > options.maxRequests) {
      throw new BatchApiError(
        400,
        'too_many_requests_in_batch',
        `the input file has ${lines} requests; the cap is ${options.maxRequests} per batch ` +
          `(split the file, or raise it with ${LIMIT_KNOBS.maxRequests})`,
        'input_file_id',
      );
    }
    const nowSec = Math.floor(Date.now() / 1000);
    const endpoint: BatchEndpoint = req.endpoint;
    const batch = newBatchObject({
      id: opts.batchId ?? newBatchId(),
      endpoint,
      inputFileId: file.id,
      completionWindow: String(req.completion_window),
      metadata,
      nowSec,
      expiresAtSec: nowSec + windowSec,
    });
    // Kept while the batch can still run, then for the retention once it has finished.
    const ttlSec = windowSec + options.retentionSec;
    const input = parseBatchInput(text, endpoint);
    if (!input.ok) {
      const failed = failValidation(batch, input.errors, nowSec);
      await records.create(failed, options.retentionSec, undefined, caller.owner);
      return failed;
    }
    const slots: BatchSlot[] = input.requests.map((r) => ({
      line: r.line,
      customId: r.customId,
      jobId: requestJobId(batch.id, r.line),
    }));
    await records.create(batch, ttlSec, { slots, invalid: input.invalid }, caller.owner);
    const data: BatchJobData = { batchId: batch.id, retentionSec: options.retentionSec };
    const jobName = BATCH_ENDPOINTS[endpoint];
    // One flow, added in one MULTI: the batch exists with all its requests or not at all.
    const flow = (stamp: (data: Record<string, unknown>) => Record<string, unknown>): FlowJob => ({
      name: BATCH_JOB_NAMES.finalize,
      queueName: queue.name,
      data: stamp({ ...data }),
      // Writing the files is retried on a Redis hiccup; the run is idempotent (fixed file ids).
      opts: { jobId: batch.id, attempts: 5, backoff: { type: 'exponential', delay: 1_000 } },
      children: input.requests.map((r, i) => ({
        name: jobName,
        queueName: queue.name,
        data: stamp(withBatchMetadata(r.body, batch.id, r.customId)),
        opts: { jobId: slots[i]!.jobId, priority: BATCH_PRIORITY, ignoreDependencyOnFailure: true },
      })),
    });
    // The requests are the messages the producer span counts. The parent and the deadline are bookkeeping,
    // but carry its context too, so the worker's finalize and expire spans join the batch's trace.
    const traced = input.requests.map((r, i) => ({
      id: slots[i]!.jobId,
      name: jobName,
      model: r.body.model,
    }));
    try {
      await tracedAdd(queue.name, traced, opts, async (stamp) => {
        await this.#flows.add(flow(stamp));
        await queue.add(BATCH_JOB_NAMES.expire, stamp({ ...data }), {
          jobId: `${batch.id}-expire`,
          delay: windowSec * 1000,
          attempts: 5,
          backoff: { type: 'exponential', delay: 1_000 },
        });
      });
    } catch (err) {
      await records.update(batch.id, (b) =>
        failValidation(
          b,
          [{ code: 'queue_unavailable', message: (err as Error).message, param: null, line: null }],
          nowSec,
        ),
      );
      throw err;
    }
    const counts = { total: input.total, completed: 0, failed: input.invalid.length };
    const stored = await records.update(batch.id, (b) =>
      b.status === 'validating' ? startBatch(b, counts, nowSec) : undefined,
    );
    // Cancelled between the record and the flow: the flow's requests must still be withdrawn.
    if (stored?.status === 'cancelling') await this.#withdraw(batch.id);
    return this.#live(stored ?? startBatch(batch, counts, nowSec));
  }

  async get(id: string): Promise<BatchObject | undefined> {
    const batch = await this.#parts.records.get(id);
    return batch ? this.#live(batch) : undefined;
  }

  /** The batch, if this caller may see it: someone else's is refused exactly like one that does not exist. */
  async require(id: string, caller: Caller = ADMIN): Promise<BatchObject> {
    const batch = await this.get(id);
    if (!batch || !(await this.#parts.records.owners.mayAccess(caller, id))) throw batchNotFound(id);
    return batch;
  }

  async list(opts: { limit?: number; after?: string; caller?: Caller } = {}) {
    const page = await this.#parts.records.list(opts);
    return { ...page, data: await Promise.all(page.data.map((b) => this.#live(b))) };
  }

  /** Waiting requests are removed; running ones finish; the batch then ends `cancelled` with what ran. */
  async cancel(id: string, caller: Caller = ADMIN): Promise<BatchObject> {
    // The owner never changes, so checking before the update leaves no window.
    if (!(await this.#parts.records.owners.mayAccess(caller, id))) throw batchNotFound(id);
    const nowSec = Math.floor(Date.now() / 1000);
    const batch = await this.#parts.records.update(id, (b) => {
      if (b.status === 'cancelling' || b.status === 'cancelled') return undefined;
      if (TERMINAL_BATCH_STATUSES.has(b.status)) {
        throw new BatchApiError(
          409,
          'batch_not_cancellable',
          `batch ${id} is ${b.status}; only a running batch can be cancelled`,
        );
      }
      return cancelBatch(b, nowSec);
    });
    if (!batch) throw batchNotFound(id);
    if (batch.status === 'cancelling') await this.#withdraw(id);
    return this.#live(batch);
  }

  async close(): Promise<void> {
    await this.#flows.close();
  }

  async #withdraw(id: string): Promise<void> {
    const parent = await Job.fromId(this.#parts.queue, id);
    await parent?.removeUnprocessedChildren();
  }

  /** A running batch's counts, read from its parent job's processed and failed children. */
  async #live(batch: BatchObject): Promise<BatchObject> {
    if (batch.status !== 'in_progress' && batch.status !== 'cancelling' && batch.status !== 'finalizing')
      return batch;
    const key = this.#parts.queue.toKey(batch.id);
    const [[, completed] = [], [, failed] = []] =
      (await this.#parts.redis.multi().hlen(`${key}:processed`).hlen(`${key}:failed`).exec()) ?? [];
    return withLiveCounts(batch, { completed: Number(completed ?? 0), failed: Number(failed ?? 0) });
  }
}

const batchNotFound = (id: string) =>
  new BatchApiError(404, 'batch_not_found', `no batch ${id} (unknown or expired)`, 'batch_id');

/** The request's own metadata plus which batch line it is, visible in the worker's logs and events. */
function withBatchMetadata(body: Record<string, unknown>, batchId: string, customId: string) {
  const own =
    body.metadata && typeof body.metadata === 'object' && !Array.isArray(body.metadata) ? body.metadata : {};
  return { ...body, metadata: { ...own, batch_id: batchId, custom_id: customId } };
}

/** OpenAI's rule: up to 16 string pairs. */
function checkMetadata(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BatchApiError(400, 'invalid_request', 'metadata must be an object of strings', 'metadata');
  }
  const entries = Object.entries(value);
  if (entries.length > 16 || entries.some(([, v]) => typeof v !== 'string')) {
    throw new BatchApiError(400, 'invalid_request', 'metadata holds at most 16 string values', 'metadata');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
