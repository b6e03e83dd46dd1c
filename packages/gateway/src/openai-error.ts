// OpenAI's error body, so that every OpenAI SDK maps our answers onto its own error classes by status
// and exposes `type` / `code` the way it does for api.openai.com.
import { DEFAULT_STATUS, type ErrorType } from '@switchyard/core';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface HttpError {
  status: number;
  body: OpenAIErrorBody;
}

/**
 * OpenAI's `error.type` / `error.code` for each taxonomy name. Typed as a full record so that a new
 * taxonomy entry fails the typecheck here instead of silently answering with a generic shape.
 * Codes are OpenAI's where it has one clients branch on (`context_length_exceeded`, …).
 */
const OPENAI_SHAPE: Readonly<Record<ErrorType, { type: string; code: string | null }>> = {
  BadRequestError: { type: 'invalid_request_error', code: null },
  AuthenticationError: { type: 'authentication_error', code: 'invalid_api_key' },
  PermissionDeniedError: { type: 'permission_error', code: null },
  NotFoundError: { type: 'not_found_error', code: null },
  Timeout: { type: 'timeout_error', code: 'timeout' },
  UnprocessableEntityError: { type: 'invalid_request_error', code: null },
  RateLimitError: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  ContextWindowExceededError: { type: 'invalid_request_error', code: 'context_length_exceeded' },
  ContentPolicyViolationError: { type: 'invalid_request_error', code: 'content_policy_violation' },
  InternalServerError: { type: 'server_error', code: null },
  ServiceUnavailableError: { type: 'service_unavailable_error', code: null },
  APIConnectionError: { type: 'api_connection_error', code: null },
  BudgetExceededError: { type: 'budget_exceeded', code: 'budget_exceeded' },
};

/** A routed job's failure: the taxonomy decides the status; the message keeps LiteLLM's name first. */
export function taxonomyError(type: ErrorType, message: string): HttpError {
  const shape = OPENAI_SHAPE[type];
  return {
    status: DEFAULT_STATUS[type],
    body: { error: { message: `${type}: ${message}`, type: shape.type, param: null, code: shape.code } },
  };
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
