// `client.batch(requests)`: one batch (a BullMQ flow, the same as the gateway's /v1/batches) whose
// results arrive as an async iterable in completion order, each an OpenAI batch output line.
import { type BatchService, newBatchId, requestJobId } from '@switchyard/batch';
import {
  type BatchEndpoint,
  type BatchObject,
  type BatchOutputLine,
  type BatchSlot,
  completionWindowSeconds,
  ERROR_CODES,
  expiredLine,
  failureLine,
  invalidLine,
  notStartedStatus,
  type ProducerParent,
  parseBatchInput,
  successLine,
  TERMINAL_BATCH_STATUSES,
  toJsonl,
} from '@switchyard/core';

export type { BatchObject, BatchOutputLine } from '@switchyard/core';

export interface BatchRequest {
  /** Default `request-<index>`; must be unique within the batch. */
  custom_id?: string;
  /** The OpenAI request body for the batch's endpoint (`model` names a model group). */
  body: Record<string, unknown>;
}

export interface BatchProgress {
  batchId: string;
  total: number;
  completed: number;
  failed: number;
}

/** `traceContext`: the trace the batch's requests continue (default: the active context). */
export interface BatchRunOptions extends ProducerParent {
  /** Default `/v1/chat/completions`. */
  endpoint?: BatchEndpoint;
  /** The batch deadline; default "24h". */
  completionWindow?: string;
  metadata?: Record<string, string>;
  /** Called after every result, with the counts so far. */
  onProgress?: (progress: BatchProgress) => void;
}

/** The batch ended without every result (it failed validation, or was cancelled or expired). */
export class BatchEndedError extends Error {
  readonly code = ERROR_CODES.batchEnded;
  readonly batch: BatchObject;
  constructor(batch: BatchObject) {
    const detail = batch.errors?.data.map((e) => e.message).join('; ');
    super(`batch ${batch.id} is ${batch.status}${detail ? `: ${detail}` : ''}`);
    this.name = 'BatchEndedError';
    this.batch = batch;
  }
}

export interface BatchRun extends AsyncIterable<BatchOutputLine> {
  /** The batch id (for `batchStatus`, `cancelBatch`, the gateway and the CLI), once it is created. */
  readonly id: Promise<string>;
}

/** What a finished request left in the queue: its result, its failure, or nothing (it never ran). */
export type StoredOutcome = { ok: true; value: unknown } | { ok: false; reason: string } | undefined;

export interface BatchRunDeps {
  batches: BatchService;
  ready(): Promise<void>;
  /** Resolves with the job's result, rejects with its `<Type>: message` reason as an Error with `reason`. */
  wait(jobId: string, timeoutMs: number): Promise<StoredOutcome>;
  cancelWait(jobId: string): void;
  stored(jobId: string): Promise<StoredOutcome>;
  /** How often the batch's status is read to notice a cancel or an expiry. */
  statusPollMs: number;
}

export function runBatch(
  deps: BatchRunDeps,
  requests: readonly BatchRequest[],
  opts: BatchRunOptions,
): BatchRun {
  const endpoint = opts.endpoint ?? '/v1/chat/completions';
  const batchId = newBatchId();
  const text = toJsonl(
    requests.map((r, i) => ({
      custom_id: r.custom_id ?? `request-${i}`,
      method: 'POST',
      url: endpoint,
      body: r.body,
    })),
  );
  // The same parse the batch service does, so the job ids are known before the jobs exist.
  const input = parseBatchInput(text, endpoint);
  const slots: BatchSlot[] = input.ok
    ? input.requests.map((r) => ({
        line: r.line,
        customId: r.customId,
        jobId: requestJobId(batchId, r.line),
      }))
    : [];
  const windowMs = (completionWindowSeconds(opts.completionWindow ?? '24h') ?? 86_400) * 1000;

  // Waits are registered before the flow is added, so no result can slip past them.
  const settled: Promise<{ slot: BatchSlot; outcome: StoredOutcome }>[] = [];
  const created = (async () => {
    await deps.ready();
    for (const slot of slots) {
      settled.push(deps.wait(slot.jobId, windowMs + 60_000).then((outcome) => ({ slot, outcome })));
    }
    try {
      const file = await deps.batches.files.put({
        purpose: 'batch',
        filename: `${batchId}_input.jsonl`,
        content: Buffer.from(text),
      });
      const batch = await deps.batches.create(
        {
          input_file_id: file.id,
          endpoint,
          completion_window: opts.completionWindow ?? '24h',
          metadata: opts.metadata,
        },
        { batchId, traceContext: opts.traceContext },
      );
      if (batch.status === 'failed') throw new BatchEndedError(batch);
      return batch;
    } catch (err) {
      for (const slot of slots) deps.cancelWait(slot.jobId);
      throw err;
    }
  })();
  const id = created.then((b) => b.id);
  id.catch(() => {});
  created.catch(() => {});

  async function* results(): AsyncGenerator<BatchOutputLine> {
    await created;
    const progress: BatchProgress = { batchId, total: input.ok ? input.total : 0, completed: 0, failed: 0 };
    const report = (line: BatchOutputLine) => {
      if (line.response?.status_code === 200) progress.completed++;
      else progress.failed++;
      opts.onProgress?.({ ...progress });
      return line;
    };
    for (const failure of input.ok ? input.invalid : []) yield report(invalidLine(batchId, failure));

    // Results in the order they settle; a status poll notices a batch that ended with requests never run.
    const pending = new Map(settled.map((p, i) => [i, p.then((r) => ({ i, ...r }))]));
    let ended: BatchObject | undefined;
    const watch = async () => {
      for (;;) {
        await new Promise((r) => setTimeout(r, deps.statusPollMs));
        const batch = await deps.batches.get(batchId).catch(() => undefined);
        if (batch && TERMINAL_BATCH_STATUSES.has(batch.status)) return batch;
        if (pending.size === 0) return undefined;
      }
    };
    let watching = watch();
    while (pending.size > 0) {
      const next = await Promise.race([...pending.values(), watching.then((b) => ({ ended: b }))]);
      if ('ended' in next) {
        if (!next.ended) {
          watching = watch();
          continue;
        }
        ended = next.ended;
        break;
      }
      pending.delete(next.i);
      const line = lineFor(batchId, next.slot, next.outcome, false);
      if (line) yield report(line);
    }
    if (!ended) return;
    // The batch ended first: what is left either finished unseen (read it) or never ran.
    for (const i of pending.keys()) {
      const slot = slots[i]!;
      deps.cancelWait(slot.jobId);
      const line = lineFor(batchId, slot, await deps.stored(slot.jobId), ended.status === 'expired');
      if (line) yield report(line);
    }
  }

  return { id, [Symbol.asyncIterator]: () => results() };
}

/** Undefined for a request that never ran in a cancelled batch (left out, as in the output files). */
function lineFor(
  batchId: string,
  slot: BatchSlot,
  outcome: StoredOutcome,
  expired: boolean,
): BatchOutputLine | undefined {
  if (outcome?.ok) return successLine(batchId, slot, outcome.value);
  if (outcome) {
    const stopped = notStartedStatus(outcome.reason);
    if (!stopped) return failureLine(batchId, slot, outcome.reason);
    return stopped === 'expired' ? expiredLine(batchId, slot) : undefined;
  }
  return expired ? expiredLine(batchId, slot) : undefined;
}
