// LiteLLM's exception names: the first word of every failedReason and the `type` of every attempt error.
import { failedReason } from '../contract/failure.ts';
import { type ErrorCode, taxonomyCode } from './codes.ts';

export const ERROR_TYPES = [
  'BadRequestError',
  'AuthenticationError',
  'PermissionDeniedError',
  'NotFoundError',
  'Timeout',
  'UnprocessableEntityError',
  'RateLimitError',
  'ContextWindowExceededError',
  'ContentPolicyViolationError',
  'InternalServerError',
  'ServiceUnavailableError',
  'APIConnectionError',
  'BudgetExceededError',
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

/** Default HTTP-ish status per type, used when the provider gave none (network errors, our own checks). */
export const DEFAULT_STATUS: Readonly<Record<ErrorType, number>> = {
  BadRequestError: 400,
  AuthenticationError: 401,
  PermissionDeniedError: 403,
  NotFoundError: 404,
  Timeout: 408,
  UnprocessableEntityError: 422,
  RateLimitError: 429,
  ContextWindowExceededError: 400,
  ContentPolicyViolationError: 400,
  InternalServerError: 500,
  ServiceUnavailableError: 503,
  APIConnectionError: 500,
  BudgetExceededError: 400,
};

export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && (ERROR_TYPES as readonly string[]).includes(value);
}

export interface SwitchyardErrorOptions {
  status?: number;
  /** Provider-requested wait (retry-after, retry-after-ms, x-ratelimit-reset-*), in ms. */
  retryAfterMs?: number;
  provider?: string;
  deploymentId?: string;
  cause?: unknown;
}

/** Every failure the router reasons about is one of these; `message` never contains secrets. */
export class SwitchyardError extends Error {
  readonly type: ErrorType;
  /** Stable code, e.g. `SY_ERR_RATE_LIMIT`. */
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  readonly provider: string | undefined;
  readonly deploymentId: string | undefined;

  constructor(type: ErrorType, message: string, options: SwitchyardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = type;
    this.type = type;
    this.code = taxonomyCode(type);
    this.status = options.status ?? DEFAULT_STATUS[type];
    this.retryAfterMs = options.retryAfterMs;
    this.provider = options.provider;
    this.deploymentId = options.deploymentId;
  }

  /** The contract's failure format: `<Type>: <message>`. */
  toReason(): string {
    return failedReason(this.type, this.message);
  }
}
