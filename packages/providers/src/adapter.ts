// The one interface every provider implements: `call()` for a whole answer, `stream()` for OpenAI chunks.
import type { Deployment, Endpoint, UnitUsage } from '@switchyard/core';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** What the answer is billed by besides tokens (images, audio seconds, characters, queries). */
  units?: UnitUsage;
}

export interface ProviderRequest {
  endpoint: Endpoint;
  /** OpenAI-format request body; `model` is replaced by the deployment's model by the adapter. */
  body: Record<string, unknown>;
  deployment: Deployment;
  /** Abort when the attempt's timeout fires or the worker shuts down. */
  signal: AbortSignal;
}

export interface ProviderResponse {
  /** OpenAI-format response object for the endpoint (Anthropic responses are mapped to it). */
  body: Record<string, unknown>;
  usage: Usage;
  /** Response headers, lower-cased. */
  headers: Record<string, string>;
  /** Streaming calls: ms from the request to the first content chunk (latency routing uses it). */
  timeToFirstChunkMs?: number;
}

/** One OpenAI `chat.completion.chunk` or text-completion chunk object. */
export type Chunk = Record<string, unknown>;

/** An opened streaming answer: headers are in, chunks follow; iterating throws classified errors. */
export interface ProviderStream extends AsyncIterable<Chunk> {
  headers: Record<string, string>;
}

export interface ProviderAdapter {
  readonly kind: Deployment['provider'];
  /** Resolves with the OpenAI-shaped response or rejects with a classified SwitchyardError. */
  call(request: ProviderRequest): Promise<ProviderResponse>;
  /**
   * The same request with `stream: true`: resolves once the provider answered 2xx (errors before that
   * reject, classified), then yields OpenAI chunks. Absent for providers that cannot stream.
   */
  stream?(request: ProviderRequest): Promise<ProviderStream>;
}
