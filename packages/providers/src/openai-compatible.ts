// The OpenAI wire format, parameterised by dialect (URL and auth header): OpenAI, OpenAI-compatible servers, Azure.
import { type Deployment, ENDPOINTS, type Endpoint, JOB_NAMES } from '@switchyard/core';
import type { EventSourceMessage } from 'eventsource-parser';
import type { ProviderAdapter, ProviderRequest } from './adapter.ts';
import { classifyErrorBody, malformedResponse } from './errors.ts';
import { type AdapterEnv, errorContext, exchange, type HttpCall } from './exchange.ts';
import { openAIPayload, openAIRequestBody, readOpenAIResponse } from './openai-endpoints.ts';
import { openStream, type StreamDecoder } from './stream-exchange.ts';
import { sseFraming } from './stream-framing.ts';

/** Each endpoint's URL tail, from the contract's one table. */
export const ENDPOINT_PATH: Readonly<Record<Endpoint, string>> = Object.fromEntries(
  JOB_NAMES.map((name) => [name, ENDPOINTS[name].path]),
) as Record<Endpoint, string>;

export interface OpenAIDialect {
  kind: 'openai' | 'azure';
  url(deployment: Deployment, endpoint: Endpoint): string;
  authHeaders(deployment: Deployment): Record<string, string>;
}

export { openAIRequestBody, readOpenAIResponse } from './openai-endpoints.ts';

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
  const request = (req: ProviderRequest): HttpCall => ({
    url: dialect.url(req.deployment, req.endpoint),
    headers: dialect.authHeaders(req.deployment),
    body: openAIPayload(req),
    ...(ENDPOINTS[req.endpoint].binaryAnswer ? { binaryAnswer: { max: env.maxAudioBytes } } : {}),
  });
  return {
    kind: dialect.kind,
    call(req) {
      return exchange(env, req, request(req), (ex) => readOpenAIResponse(req, ex));
    },
    stream(req) {
      const call = { ...request(req), body: openAIRequestBody(req) };
      // Usage always: the worker corrects tpm from it; the caller's own stream_options decides what it sees.
      call.body = { ...(call.body as object), stream: true, stream_options: { include_usage: true } };
      return openStream(env, req, call, {
        accept: 'text/event-stream',
        framing: sseFraming,
        decode: openAIStreamDecoder(req),
      });
    },
  };
}
