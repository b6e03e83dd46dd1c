// Refusals of the Files and Batch API, with the HTTP status and OpenAI error fields the gateway answers with.

export type BatchApiErrorCode =
  | 'file_too_large'
  | 'too_many_requests_in_batch'
  | 'invalid_purpose'
  | 'invalid_request'
  | 'file_not_found'
  | 'batch_not_found'
  | 'batch_not_cancellable';

export class BatchApiError extends Error {
  readonly code: BatchApiErrorCode;
  readonly status: number;
  readonly param: string | null;

  constructor(status: number, code: BatchApiErrorCode, message: string, param: string | null = null) {
    super(message);
    this.name = 'BatchApiError';
    this.status = status;
    this.code = code;
    this.param = param;
  }
}
