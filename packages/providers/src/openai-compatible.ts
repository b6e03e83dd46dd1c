// The OpenAI wire format, parameterised by dialect (URL and auth header): OpenAI, OpenAI-compatible servers, Azure.
import type { Deployment, Endpoint } from '@switchyard/core';
import type { EventSourceMessage } from 'eventsource-parser';
import type { ProviderAdapter, ProviderRequest, ProviderResponse } from './adapter.ts';
import { classifyErrorBody, malformedResponse } from './errors.ts';
import { type AdapterEnv, errorContext, exchange, type HttpExchange } from './exchange.ts';
import { num, parseJsonObject } from './json-body.ts';
import { openStream, type StreamDecoder } from './stream-exchange.ts';
import { sseFraming } from './stream-framing.ts';

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

/** OpenAI SSE: each `data:` is a chunk, `[DONE]` ends; an `error` object mid-stream is a classified failure. */
export function openAIStreamDecoder(req: ProviderRequest): StreamDecoder<EventSourceMessage> {
  const ctx = errorContext(req);
  return (event) => {
    if (event.data === '[DONE]') return { chunks: [], end: true };
    let chunk: unknown;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      throw malformedResponse(ctx, 'stream event is not JSON', event.data, {});
    }
    if (!chunk || typeof chunk !== 'object' || Array.isArray(chunk))
      throw malformedResponse(ctx, 'stream event is not a JSON object', event.data, {});
    const obj = chunk as Record<string, unknown>;
    if ((obj.error !== undefined && obj.error !== null) || event.event === 'error')
      throw classifyErrorBody(ctx, obj, {});
    return { chunks: [obj] };
  };
}

export function createOpenAICompatibleAdapter(dialect: OpenAIDialect, env: AdapterEnv): ProviderAdapter {
  const request = (req: ProviderRequest) => ({
    url: dialect.url(req.deployment, req.endpoint),
    headers: dialect.authHeaders(req.deployment),
    body: openAIRequestBody(req),
  });
  return {
    kind: dialect.kind,
    call(req) {
      return exchange(env, req, request(req), (ex) => readOpenAIResponse(req, ex));
    },
    stream(req) {
      const call = request(req);
      // Usage always: the worker corrects tpm from it; the caller's own stream_options decides what it sees.
      call.body = { ...call.body, stream: true, stream_options: { include_usage: true } };
      return openStream(env, req, call, {
        accept: 'text/event-stream',
        framing: sseFraming,
        decode: openAIStreamDecoder(req),
      });
    },
  };
}
