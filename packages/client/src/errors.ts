// The error a caller sees: the taxonomy name parsed back out of the job's failedReason.
import {
  ERROR_CODES,
  type ErrorCode,
  type ErrorType,
  parseFailedReason,
  taxonomyCode,
} from '@switchyard/core';

export class CompletionError extends Error {
  readonly type: ErrorType;
  /** The taxonomy's stable code, e.g. `SY_ERR_RATE_LIMIT`. */
  readonly code: ErrorCode;
  readonly jobId: string;

  constructor(jobId: string, failedReason: string) {
    const { type, message } = parseFailedReason(failedReason);
    super(message);
    this.name = type;
    this.type = type;
    this.code = taxonomyCode(type);
    this.jobId = jobId;
  }
}

/** The caller gave up waiting; the job may still finish — fetch it later with `result(jobId)`. */
export class WaitTimeoutError extends Error {
  readonly code = ERROR_CODES.waitTimeout;
  readonly jobId: string;
  constructor(jobId: string, ms: number) {
    super(`no result for job ${jobId} within ${ms} ms`);
    this.name = 'WaitTimeoutError';
    this.jobId = jobId;
  }
}
