// Provider failures → LiteLLM's taxonomy (reference §5.2): error bodies first, then status, then network codes.
import { type ErrorType, type ProviderKind, SwitchyardError } from '@switchyard/core';
import { retryAfterMs } from './retry-after.ts';
import { scrub } from './scrub.ts';

export interface ErrorContext {
  provider: ProviderKind;
  deploymentId: string;
  /** Scrubbed out of every message. */
  apiKey?: string;
}

/** What a provider's error body says, whichever dialect it is in. */
export interface ErrorInfo {
  message?: string;
  type?: string;
  code?: string;
  /** Azure `innererror.code`. */
  innerCode?: string;
  /** A status the body itself states (Azure `error.status`, `code: "429"`). */
  status?: number;
  /** Google's `error.details[].reason` (`API_KEY_INVALID`, …). */
  reason?: string;
}

const MESSAGE_LIMIT = 1000;

const CONTEXT_WINDOW_CODES = new Set(['context_length_exceeded', 'string_above_max_length']);
const CONTEXT_WINDOW_TEXT = [
  /maximum context length/i,
  /context length/i,
  /context window/i,
  /exceeds? (the )?context limit/i,
  /maximum context limit/i,
  /prompt is too long/i,
  /prompt: length/i,
  // Gemini / Vertex: "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."
  /exceeds the maximum number of tokens/i,
  // Bedrock: "Input is too long for requested model", "too many input tokens"; Cohere: "too many tokens: …"
  /input is too long/i,
  /too many (input )?tokens/i,
];
const CONTENT_POLICY_CODES = new Set([
  'content_policy_violation',
  'content_filter',
  'content_filter_policy',
  'ResponsibleAIPolicyViolation',
]);
const CONTENT_POLICY_TEXT = [
  /content management policy/i,
  /content filtering policy/i,
  /as a result of (our|the) safety system/i,
  /violating our usage policy/i,
  /blocked by (the )?safety/i,
];

/** Error names that decide the type whatever the status. */
const NAMED_TYPES: Readonly<Record<string, ErrorType>> = {
  ThrottlingException: 'RateLimitError',
  ServiceQuotaExceededException: 'RateLimitError',
  ModelNotReadyException: 'RateLimitError',
  RESOURCE_EXHAUSTED: 'RateLimitError',
  ServiceUnavailableException: 'ServiceUnavailableError',
  UNAVAILABLE: 'ServiceUnavailableError',
  ModelTimeoutException: 'Timeout',
  UnrecognizedClientException: 'AuthenticationError',
  UNAUTHENTICATED: 'AuthenticationError',
};

/** Statuses a body-based "context window" / "content policy" reading may refine (never 401, 429, 5xx). */
const REFINABLE = new Set([400, 403, 413, 422]);

/** Status implied by an error code or type when a 200 carries an error object. */
const TYPE_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  invalid_api_key: 401,
  permission_error: 403,
  not_found_error: 404,
  model_not_found: 404,
  DeploymentNotFound: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  requests: 429,
  tokens: 429,
  overloaded_error: 529,
  api_error: 500,
  // Google RPC statuses (Gemini, Vertex) and AWS exception names (Bedrock's `x-amzn-errortype`).
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  ValidationException: 400,
  UnrecognizedClientException: 401,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  ServiceQuotaExceededException: 429,
  ModelNotReadyException: 429,
  ModelTimeoutException: 408,
  InternalServerException: 500,
  ModelErrorException: 500,
  ServiceUnavailableException: 503,
  server_error: 500,
  timeout: 408,
};

export function statusType(status: number): ErrorType {
  switch (status) {
    case 400:
    case 413:
      return 'BadRequestError';
    case 401:
      return 'AuthenticationError';
    case 403:
      return 'PermissionDeniedError';
    case 404:
      return 'NotFoundError';
    case 408:
    case 504:
      return 'Timeout';
    case 422:
      return 'UnprocessableEntityError';
    case 429:
      return 'RateLimitError';
    case 502:
    case 503:
    // Anthropic's 529 "overloaded" is a capacity signal like 503: transient, worth a retry elsewhere.
    // LiteLLM calls it InternalServerError; ServiceUnavailableError says what actually happened.
    case 529:
      return 'ServiceUnavailableError';
    default:
      return status >= 500 || status < 400 ? 'InternalServerError' : 'BadRequestError';
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function extractErrorInfo(body: unknown): ErrorInfo {
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  const e = b.error;
  if (typeof e === 'string') return { message: e };
  // OpenAI / Azure / Anthropic nest it under `error`; vLLM-style servers put it at the top (`object: "error"`).
  const o = (e && typeof e === 'object' ? e : b) as Record<string, unknown>;
  const inner = o.innererror as Record<string, unknown> | undefined;
  const rawStatus = typeof o.status === 'number' ? o.status : Number(str(o.code));
  // Google: `{error: {code: 429, message, status: "RESOURCE_EXHAUSTED", details: [{reason}]}}`.
  const googleStatus = typeof o.status === 'string' ? o.status : undefined;
  const details = Array.isArray(o.details) ? (o.details as Record<string, unknown>[]) : [];
  const reason = details.map((d) => str(d?.reason)).find((r) => r !== undefined);
  const info: ErrorInfo = {
    message: str(o.message) ?? str(o.Message) ?? str(b.detail),
    type: str(o.type) ?? googleStatus,
    code: str(o.code),
    innerCode: str(inner?.code),
    status: Number.isInteger(rawStatus) && rawStatus >= 400 && rawStatus < 600 ? rawStatus : undefined,
  };
  if (reason !== undefined) info.reason = reason;
  return info;
}

/** The taxonomy type of an error answer; `status` is the HTTP status (for a 200 error body, the implied one). */
export function errorType(status: number, info: ErrorInfo): ErrorType {
  const text = `${info.message ?? ''} ${info.type ?? ''}`;
  const codes = [info.code, info.innerCode, info.type].filter((c): c is string => c !== undefined);
  if (REFINABLE.has(status)) {
    if (codes.some((c) => CONTEXT_WINDOW_CODES.has(c)) || CONTEXT_WINDOW_TEXT.some((r) => r.test(text))) {
      return 'ContextWindowExceededError';
    }
    if (codes.some((c) => CONTENT_POLICY_CODES.has(c)) || CONTENT_POLICY_TEXT.some((r) => r.test(text))) {
      return 'ContentPolicyViolationError';
    }
  }
  if (info.reason === 'API_KEY_INVALID') return 'AuthenticationError';
  // Exceptions whose name says more than their status (Bedrock sends some throttling as 400).
  for (const c of codes) {
    const named = NAMED_TYPES[c];
    if (named !== undefined) return named;
  }
  if (codes.includes('overloaded_error')) return 'ServiceUnavailableError';
  if (codes.includes('DeploymentNotFound')) return 'NotFoundError';
  return statusType(status);
}

function impliedStatus(info: ErrorInfo): number {
  if (info.status !== undefined) return info.status;
  for (const c of [info.code, info.type]) {
    if (c !== undefined && TYPE_STATUS[c] !== undefined) return TYPE_STATUS[c];
  }
  return 500;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function build(
  ctx: ErrorContext,
  type: ErrorType,
  status: number,
  detail: string,
  headers: Record<string, string>,
): SwitchyardError {
  const message = scrub(`${ctx.provider} ${status}: ${detail}`, [ctx.apiKey]).slice(0, MESSAGE_LIMIT);
  return new SwitchyardError(type, message, {
    status,
    retryAfterMs: retryAfterMs(headers),
    provider: ctx.provider,
    deploymentId: ctx.deploymentId,
  });
}

/** A non-2xx answer. */
export function classifyHttpError(
  ctx: ErrorContext,
  status: number,
  headers: Record<string, string>,
  bodyText: string,
): SwitchyardError {
  const info = extractErrorInfo(parseJson(bodyText));
  // AWS names the exception in a header (`ThrottlingException:http://internal.amazon.com/coral/…`).
  const amzn = headers['x-amzn-errortype']?.split(':')[0];
  if (amzn && info.type === undefined) info.type = amzn;
  const detail = info.message ?? (bodyText.trim().slice(0, 200) || 'no error message');
  return build(ctx, errorType(status, info), status, detail, headers);
}

/** A 2xx answer whose body is an error object (`{"error": {...}}`): mapped as the status it implies. */
export function classifyErrorBody(
  ctx: ErrorContext,
  body: unknown,
  headers: Record<string, string>,
): SwitchyardError {
  const info = extractErrorInfo(body);
  const status = impliedStatus(info);
  return build(
    ctx,
    errorType(status, info),
    status,
    info.message ?? 'error object in a 200 response',
    headers,
  );
}

/** A 2xx answer we cannot use: not JSON, truncated, or missing its essential fields. */
export function malformedResponse(
  ctx: ErrorContext,
  reason: string,
  bodyText: string,
  headers: Record<string, string>,
): SwitchyardError {
  const snippet = bodyText.slice(0, 120).replace(/\s+/g, ' ');
  return build(ctx, 'InternalServerError', 500, `malformed response (${reason}): ${snippet}`, headers);
}

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The first error code found on the error, its causes, or an AggregateError's members. */
export function errorCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 5) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') return e.code;
  const fromCause = errorCode(e.cause, depth + 1);
  if (fromCause) return fromCause;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const c = errorCode(inner, depth + 1);
      if (c) return c;
    }
  }
  return undefined;
}

/** A failure with no HTTP answer (socket, DNS, parser). Unknown ones are APIConnectionError, as in LiteLLM. */
export function classifyNetworkError(ctx: ErrorContext, err: unknown, origin: string): SwitchyardError {
  const code = errorCode(err) ?? 'unknown';
  const what = err instanceof Error ? err.message : String(err);
  const type: ErrorType = TIMEOUT_CODES.has(code) ? 'Timeout' : 'APIConnectionError';
  const label = CONNECTION_CODES.has(code) || TIMEOUT_CODES.has(code) ? code : `${code}: ${what}`;
  const message = scrub(`${ctx.provider}: connection error (${label}) calling ${origin}`, [ctx.apiKey]);
  return new SwitchyardError(type, message.slice(0, MESSAGE_LIMIT), {
    provider: ctx.provider,
    deploymentId: ctx.deploymentId,
  });
}
