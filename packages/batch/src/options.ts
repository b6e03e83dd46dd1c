// Limits and retention of the batch store, documented once with their defaults.

export interface BatchStoreOptions {
  /**
   * Largest input file accepted by `POST /v1/files`, in bytes. Files live in Redis, so the cap keeps one
   * upload from eating its memory.
   * @defaultValue 50 MiB
   */
  maxFileBytes?: number;
  /**
   * Most requests (non-blank lines) one batch may hold (OpenAI's own limit is 50,000).
   * @defaultValue 50,000
   */
  maxRequests?: number;
  /**
   * How long files, and finished batches with their output and error files, are kept, in seconds.
   * A running batch is kept for its completion window plus this.
   * @defaultValue 7 days
   */
  retentionSec?: number;
}

export const BATCH_STORE_DEFAULTS: Required<BatchStoreOptions> = {
  maxFileBytes: 50 * 1024 * 1024,
  maxRequests: 50_000,
  retentionSec: 7 * 86_400,
};

/** Where each limit is raised, for the 400 that names it. */
export const LIMIT_KNOBS = {
  maxFileBytes: '`switchyard gateway --batch-max-file-bytes N` (BatchStoreOptions.maxFileBytes)',
  maxRequests: '`switchyard gateway --batch-max-requests N` (BatchStoreOptions.maxRequests)',
} as const;
