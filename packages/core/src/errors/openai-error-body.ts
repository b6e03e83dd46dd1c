// OpenAI's error body for each taxonomy name, so every OpenAI SDK maps our answers (gateway replies and
// batch error-file lines alike) onto its own error classes by status and exposes `type` / `code`.
import { DEFAULT_STATUS, type ErrorType } from './taxonomy.ts';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
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

/** A routed job's failure as OpenAI would answer it: the taxonomy decides the status; LiteLLM's name leads the message. */
export function openaiErrorFor(type: ErrorType, message: string): { status: number; body: OpenAIErrorBody } {
  const shape = OPENAI_SHAPE[type];
  return {
    status: DEFAULT_STATUS[type],
    body: { error: { message: `${type}: ${message}`, type: shape.type, param: null, code: shape.code } },
  };
}
