// Files and Batch API refusals as OpenAI error bodies.
import { BatchApiError } from '@switchyard/batch';
import { gatewayError, type HttpError } from './openai-error.ts';

const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  404: 'not_found_error',
  409: 'invalid_request_error',
};

/** Undefined for anything that is not a refusal: the caller treats those as the queue being unavailable. */
export function batchApiError(err: unknown): HttpError | undefined {
  if (!(err instanceof BatchApiError)) return undefined;
  return gatewayError(
    err.status,
    err.message,
    TYPE_BY_STATUS[err.status] ?? 'invalid_request_error',
    err.code,
    err.param,
  );
}
