// The OpenAI wire format, parameterised by dialect (URL and auth header): OpenAI, OpenAI-compatible servers, Azure.
import type { Deployment, Endpoint } from '@switchyard/core';
import type { ProviderAdapter, ProviderRequest, ProviderResponse } from './adapter.ts';
import { malformedResponse } from './errors.ts';
import { type AdapterEnv, errorContext, exchange, type HttpExchange } from './exchange.ts';
import { num, parseJsonObject } from './json-body.ts';

export const ENDPOINT_PATH: Readonly<Record<Endpoint, string>> = {
  'chat.completions': '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
};

export interface OpenAIDialect {
  kind: 'openai' | 'azure';
  url(deployment: Deployment, endpoint: Endpoint): string;
  authHeaders(deployment: Deployment): Record<string, string>;
}

/** Keys of ours or of the streaming path that must not reach the provider on a plain call. */
const OWN_KEYS = ['metadata', 'stream', 'stream_options'];

/** Deployment `extraParams` under the request's own params; `model` is the deployment's. */
export function openAIRequestBody(req: ProviderRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...req.deployment.extraParams,
    ...req.body,
    model: req.deployment.model,
  };
  for (const k of OWN_KEYS) delete body[k];
  return body;
}

export function readOpenAIResponse(req: ProviderRequest, ex: HttpExchange): ProviderResponse {
  const ctx = errorContext(req);
  const body = parseJsonObject(ctx, ex);
  const list = req.endpoint === 'embeddings' ? 'data' : 'choices';
  if (!Array.isArray(body[list])) throw malformedResponse(ctx, `no \`${list}\` array`, ex.text, ex.headers);
  const u = (body.usage ?? {}) as Record<string, unknown>;
  const promptTokens = num(u.prompt_tokens);
  const completionTokens = num(u.completion_tokens);
  return {
    body,
    usage: {
      promptTokens,
      completionTokens,
      totalTokens: num(u.total_tokens) || promptTokens + completionTokens,
    },
    headers: ex.headers,
  };
}

export function createOpenAICompatibleAdapter(dialect: OpenAIDialect, env: AdapterEnv): ProviderAdapter {
  return {
    kind: dialect.kind,
    call(req) {
      const call = {
        url: dialect.url(req.deployment, req.endpoint),
        headers: dialect.authHeaders(req.deployment),
        body: openAIRequestBody(req),
      };
      return exchange(env, req, call, (ex) => readOpenAIResponse(req, ex));
    },
  };
}
