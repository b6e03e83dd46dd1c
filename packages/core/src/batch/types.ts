// OpenAI's Files and Batch API objects as Switchyard serves them, and the batch record kept in Redis.
import type { Endpoint } from '../config/types.ts';

/** OpenAI's batch status values, in the order a batch can pass through them. */
export const BATCH_STATUSES = [
  'validating',
  'failed',
  'in_progress',
  'finalizing',
  'completed',
  'expired',
  'cancelling',
  'cancelled',
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** Statuses after which nothing about the batch changes any more. */
export const TERMINAL_BATCH_STATUSES: ReadonlySet<BatchStatus> = new Set([
  'failed',
  'completed',
  'expired',
  'cancelled',
]);

/** The batch endpoints OpenAI accepts that Switchyard runs, with the queue job name each line becomes. */
export const BATCH_ENDPOINTS = {
  '/v1/chat/completions': 'chat.completions',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
} as const satisfies Record<string, Endpoint>;
export type BatchEndpoint = keyof typeof BATCH_ENDPOINTS;

export function isBatchEndpoint(value: unknown): value is BatchEndpoint {
  return typeof value === 'string' && Object.hasOwn(BATCH_ENDPOINTS, value);
}

export interface BatchRequestCounts {
  total: number;
  completed: number;
  failed: number;
}

/** One entry of `batch.errors.data` (OpenAI's validation error shape). */
export interface BatchValidationError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

/** OpenAI's Batch object. */
export interface BatchObject {
  id: string;
  object: 'batch';
  endpoint: BatchEndpoint;
  errors: { object: 'list'; data: BatchValidationError[] } | null;
  input_file_id: string;
  completion_window: string;
  status: BatchStatus;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number | null;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: BatchRequestCounts;
  metadata: Record<string, string> | null;
}

export const FILE_PURPOSES = ['batch', 'batch_output'] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];

/** OpenAI's File object. */
export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  expires_at: number | null;
  filename: string;
  purpose: FilePurpose;
  status: 'processed';
  status_details: null;
}

/** Data of both batch job kinds. */
export interface BatchJobData {
  batchId: string;
  /** How long the output and error files and the finished batch object are kept, seconds. */
  retentionSec: number;
}
