// What every adapter that translates the OpenAI format to a provider's own API shares around the HTTP call.
import type { Endpoint, ProviderKind } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/core';
import type { ProviderRequest, ProviderResponse } from './adapter.ts';
import { mapped, type Obj } from './chat-parts.ts';
import { malformedResponse } from './errors.ts';
import { type AdapterEnv, errorContext, exchange, type HttpCall } from './exchange.ts';
import { parseJsonObject } from './json-body.ts';
import { unsupportedParams, unsupportedParamsMessage } from './unsupported-params.ts';

/** OpenAI chat parameters the translated providers (Cohere, Gemini/Vertex, Ollama) have a counterpart for. */
export const TRANSLATED_CHAT_PARAMS: ReadonlySet<string> = new Set([
  'temperature',
  'top_p',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'response_format',
  'tools',
  'tool_choice',
  'n',
]);

/** Ours or the streaming path's: never sent to a provider on a plain call. */
const OWN_KEYS = ['metadata', 'stream', 'stream_options'];

export function badRequest(req: ProviderRequest, message: string): SwitchyardError {
  const provider: ProviderKind = req.deployment.provider;
  return new SwitchyardError('BadRequestError', `${provider}: ${message}`, {
    provider,
    deploymentId: req.deployment.id,
  });
}

export function requireEndpoint(req: ProviderRequest, supported: readonly Endpoint[]): void {
  if (!supported.includes(req.endpoint)) {
    throw badRequest(
      req,
      `${req.endpoint} is not supported by ${req.deployment.provider} (${supported.join(', ')} only)`,
    );
  }
}

/** The deployment's extra params under the request's own; `model` and our own keys removed. */
export function mergedBody(req: ProviderRequest): Obj {
  const body: Obj = { ...req.deployment.extraParams, ...req.body };
  for (const k of [...OWN_KEYS, 'model']) delete body[k];
  return body;
}

/**
 * OpenAI chat parameters a translating adapter either maps or refuses: as in LiteLLM, one the provider lacks is
 * a BadRequestError unless `drop_params` is on, then it is dropped. Other keys are provider extras and pass.
 */
const OPENAI_CHAT_PARAMS: ReadonlySet<string> = new Set([
  'temperature',
  'top_p',
  'n',
  'stop',
  'max_tokens',
  'max_completion_tokens',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'seed',
  'user',
  'response_format',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'functions',
  'function_call',
  'service_tier',
  'store',
  'reasoning_effort',
  'modalities',
  'audio',
  'prediction',
  'web_search_options',
]);

/**
 * `mergedBody` with the OpenAI chat parameters outside `supported` (by default what every translated provider
 * maps) refused or, with drop_params, dropped.
 */
export function chatBody(req: ProviderRequest, supported: ReadonlySet<string> = TRANSLATED_CHAT_PARAMS): Obj {
  const body = mergedBody(req);
  const unsupported = unsupportedParams(body, (k) => OPENAI_CHAT_PARAMS.has(k) && !supported.has(k));
  if (unsupported.length === 0) return body;
  if (req.deployment.dropParams !== true) {
    throw badRequest(req, unsupportedParamsMessage(req.deployment.provider, unsupported));
  }
  for (const k of unsupported) delete body[k];
  return body;
}

/** The provider's request body from `build`; a request it cannot express (a MappingError) is a BadRequestError. */
export function mappedBody<T>(req: ProviderRequest, build: () => T): T {
  const m = mapped(build);
  if (!m.ok) throw badRequest(req, m.error);
  return m.value;
}

/**
 * One translated call: send `call`, parse the 2xx body as a JSON object and map it to the OpenAI shape.
 * `read` returns undefined when the body lacks what it needs (`what` names it in the error).
 */
export function translatedCall(
  env: AdapterEnv,
  req: ProviderRequest,
  call: HttpCall,
  what: string,
  read: (body: Obj) => Omit<ProviderResponse, 'headers'> | undefined,
): Promise<ProviderResponse> {
  return exchange(env, req, call, (ex) => {
    const ctx = errorContext(req);
    const out = read(parseJsonObject(ctx, ex));
    if (!out) throw malformedResponse(ctx, what, ex.text, ex.headers);
    return { ...out, headers: ex.headers };
  });
}

export function trimBase(apiBase: string): string {
  return apiBase.replace(/\/+$/, '');
}
