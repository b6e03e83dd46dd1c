// Each provider's real error shapes: OpenAI/Azure `{error:{message,type,param,code}}`, Anthropic `{type:'error',error:{type,message}}`.
import type { Reply } from './bodies.ts';
import { dialectOf } from './dialects/index.ts';
import type { FakeFault, FakeProviderKind, FakeRoute } from './types.ts';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Sent as is instead of `body` as JSON (a refusal in a streaming format); set `content-type` in headers. */
  text?: string;
}

interface ErrorSpec {
  message?: string;
  type?: string;
  code?: string | null;
  param?: string | null;
  /** Extra fields inside `error` (Azure's `innererror`). */
  extra?: Record<string, unknown>;
}

const OPENAI_TYPES: Record<number, [type: string, code: string | null, message: string]> = {
  400: ['invalid_request_error', null, 'Invalid request.'],
  401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'],
  403: ['invalid_request_error', 'unsupported_country_region_territory', 'Permission denied.'],
  404: [
    'invalid_request_error',
    'model_not_found',
    'The model does not exist or you do not have access to it.',
  ],
  408: ['timeout', null, 'Request timed out.'],
  422: ['invalid_request_error', null, 'Unprocessable entity.'],
  429: ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests. Please try again later.'],
  500: ['server_error', null, 'The server had an error processing your request.'],
  502: ['server_error', null, 'Bad gateway.'],
  503: ['server_error', null, 'The engine is currently overloaded, please try again later.'],
  504: ['server_error', null, 'Gateway timeout.'],
};

const ANTHROPIC_TYPES: Record<number, [type: string, message: string]> = {
  400: ['invalid_request_error', 'Invalid request.'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'The requested resource could not be found.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'Number of requests has exceeded your rate limit.'],
  500: ['api_error', 'An unexpected error has occurred internal to our systems.'],
  529: ['overloaded_error', 'Overloaded'],
};

/** A whole error answer in the provider's shape (some dialects name the error in a header too). */
export function errorAnswer(
  provider: FakeProviderKind,
  status: number,
  spec: ErrorSpec = {},
  headers: Record<string, string> = {},
): HttpAnswer {
  const dialect = dialectOf(provider);
  const a = dialect
    ? dialect.error(status, spec)
    : { status, headers: {}, body: errorBody(provider, status, spec) };
  return { ...a, headers: { ...a.headers, ...headers } };
}

export function errorBody(provider: FakeProviderKind, status: number, spec: ErrorSpec = {}): unknown {
  const dialect = dialectOf(provider);
  if (dialect) return dialect.error(status, spec).body;
  if (provider === 'anthropic') {
    const [type, message] = ANTHROPIC_TYPES[status] ?? [
      status >= 500 ? 'api_error' : 'invalid_request_error',
      'Error.',
    ];
    return { type: 'error', error: { type: spec.type ?? type, message: spec.message ?? message } };
  }
  const [type, code, message] = OPENAI_TYPES[status] ?? [
    status >= 500 ? 'server_error' : 'invalid_request_error',
    null,
    `Error ${status}.`,
  ];
  return {
    error: {
      message: spec.message ?? message,
      type: spec.type ?? type,
      param: spec.param ?? null,
      code: spec.code === undefined ? code : spec.code,
      ...spec.extra,
    },
  };
}

function retryHeaders(retryAfterSec?: number, retryAfterMs?: number): Record<string, string> {
  const h: Record<string, string> = {};
  if (retryAfterSec !== undefined) h['retry-after'] = String(retryAfterSec);
  if (retryAfterMs !== undefined) h['retry-after-ms'] = String(retryAfterMs);
  return h;
}

function contextWindow(provider: FakeProviderKind): HttpAnswer {
  const body =
    provider === 'anthropic'
      ? errorBody(provider, 400, { message: 'prompt is too long: 210000 tokens > 200000 maximum' })
      : errorBody(provider, 400, {
          message:
            "This model's maximum context length is 8192 tokens. However, your messages resulted in 9100 tokens. Please reduce the length of the messages.",
          param: 'messages',
          code: 'context_length_exceeded',
        });
  return { status: 400, headers: {}, body };
}

function contentPolicy(provider: FakeProviderKind): HttpAnswer {
  if (provider === 'anthropic') {
    return {
      status: 400,
      headers: {},
      body: errorBody(provider, 400, { message: 'Output blocked by content filtering policy' }),
    };
  }
  if (provider === 'azure') {
    const body = errorBody(provider, 400, {
      message:
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
      param: 'prompt',
      code: 'content_filter',
      extra: {
        status: 400,
        innererror: {
          code: 'ResponsibleAIPolicyViolation',
          content_filter_result: { hate: { filtered: true, severity: 'high' } },
        },
      },
    });
    return { status: 400, headers: {}, body };
  }
  return {
    status: 400,
    headers: {},
    body: errorBody(provider, 400, {
      message: 'Your request was rejected as a result of our safety system.',
      code: 'content_policy_violation',
    }),
  };
}

type StatusFault = Extract<
  FakeFault,
  { kind: 'error' | 'rate-limit' | 'context-window' | 'content-policy' | 'error-body' }
>;

export function isStatusFault(f: FakeFault): f is StatusFault {
  return ['error', 'rate-limit', 'context-window', 'content-policy', 'error-body'].includes(f.kind);
}

/** The whole HTTP answer for a fault that is expressed as a status and body. */
export function faultAnswer(
  route: FakeRoute,
  fault: StatusFault,
  body: Record<string, unknown>,
  r: Reply,
): HttpAnswer {
  const p = route.provider;
  const dialect = dialectOf(p);
  switch (fault.kind) {
    case 'error':
      return errorAnswer(
        p,
        fault.status,
        { message: fault.message, type: fault.type, code: fault.code },
        { ...retryHeaders(fault.retryAfterSec, fault.retryAfterMs), ...fault.headers },
      );
    case 'rate-limit':
      return errorAnswer(
        p,
        429,
        {},
        { ...retryHeaders(fault.retryAfterSec, fault.retryAfterMs), ...fault.headers },
      );
    case 'context-window':
      return dialect ? dialect.contextWindow(route) : contextWindow(p);
    case 'content-policy':
      return dialect ? dialect.contentPolicy(route, body, r) : contentPolicy(p);
    case 'error-body':
      return {
        status: 200,
        headers: {},
        body: errorBody(p, 500, { message: fault.message, type: fault.type, code: fault.code }),
      };
  }
}
