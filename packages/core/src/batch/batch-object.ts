// Building and moving a Batch object through OpenAI's statuses. The object kept in Redis is the
// Batch object itself; live request counts are merged in while its requests run.
import type {
  BatchEndpoint,
  BatchObject,
  BatchRequestCounts,
  BatchStatus,
  BatchValidationError,
} from './types.ts';

export interface NewBatch {
  id: string;
  endpoint: BatchEndpoint;
  inputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  nowSec: number;
  /** When the completion window ends (the batch deadline), epoch seconds. */
  expiresAtSec: number;
}

export function newBatchObject(b: NewBatch): BatchObject {
  return {
    id: b.id,
    object: 'batch',
    endpoint: b.endpoint,
    errors: null,
    input_file_id: b.inputFileId,
    completion_window: b.completionWindow,
    status: 'validating',
    output_file_id: null,
    error_file_id: null,
    created_at: b.nowSec,
    in_progress_at: null,
    expires_at: b.expiresAtSec,
    finalizing_at: null,
    completed_at: null,
    failed_at: null,
    expired_at: null,
    cancelling_at: null,
    cancelled_at: null,
    request_counts: { total: 0, completed: 0, failed: 0 },
    metadata: b.metadata,
  };
}

/** `validating` → `failed`: the file is not JSONL or names another endpoint (OpenAI's `errors` list). */
export function failValidation(
  batch: BatchObject,
  errors: BatchValidationError[],
  nowSec: number,
): BatchObject {
  return { ...batch, status: 'failed', failed_at: nowSec, errors: { object: 'list', data: errors } };
}

export function startBatch(batch: BatchObject, counts: BatchRequestCounts, nowSec: number): BatchObject {
  return { ...batch, status: 'in_progress', in_progress_at: nowSec, request_counts: counts };
}

export function cancelBatch(batch: BatchObject, nowSec: number): BatchObject {
  if (batch.status !== 'in_progress' && batch.status !== 'validating') return batch;
  return { ...batch, status: 'cancelling', cancelling_at: nowSec };
}

/** How a batch whose requests have all settled ends: cancelled or expired if that was asked, else completed. */
export function finishBatch(
  batch: BatchObject,
  end: {
    expired: boolean;
    counts: BatchRequestCounts;
    outputFileId: string | null;
    errorFileId: string | null;
    nowSec: number;
  },
): BatchObject {
  const status: BatchStatus =
    batch.status === 'cancelling' ? 'cancelled' : end.expired ? 'expired' : 'completed';
  return {
    ...batch,
    status,
    request_counts: end.counts,
    output_file_id: end.outputFileId,
    error_file_id: end.errorFileId,
    finalizing_at: batch.finalizing_at ?? end.nowSec,
    ...(status === 'cancelled' ? { cancelled_at: end.nowSec } : {}),
    ...(status === 'expired' ? { expired_at: end.nowSec } : {}),
    ...(status === 'completed' ? { completed_at: end.nowSec } : {}),
  };
}

/** While requests run, the counts come from the queue (done and failed children) rather than the stored object. */
export function withLiveCounts(batch: BatchObject, live: { completed: number; failed: number }): BatchObject {
  return {
    ...batch,
    request_counts: {
      total: batch.request_counts.total,
      completed: live.completed,
      failed: batch.request_counts.failed + live.failed,
    },
  };
}
