// OpenAI's error body, so that every OpenAI SDK maps our answers onto its own error classes by status
// and exposes `type` / `code` the way it does for api.openai.com.
import { type ErrorType, type OpenAIErrorBody, openaiErrorFor } from '@switchyard/core';

export type { OpenAIErrorBody } from '@switchyard/core';

export interface HttpError {
  status: number;
  body: OpenAIErrorBody;
}

/** A routed job's failure: the taxonomy decides the status; the message keeps LiteLLM's name first. */
export function taxonomyError(type: ErrorType, message: string): HttpError {
  return openaiErrorFor(type, message);
}

/** The gateway's own refusals (bad JSON, unknown route, missing key, …), before anything is enqueued. */
export function gatewayError(
  status: number,
  message: string,
  type = 'invalid_request_error',
  code: string | null = null,
  param: string | null = null,
): HttpError {
  return { status, body: { error: { message, type, param, code } } };
}
