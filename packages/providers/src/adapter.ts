// The one interface every provider implements. Streaming arrives later as `stream()` on the same shape.
import type { Deployment, Endpoint } from '@switchyard/core';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
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
}

export interface ProviderAdapter {
  readonly kind: Deployment['provider'];
  /** Resolves with the OpenAI-shaped response or rejects with a classified SwitchyardError. */
  call(request: ProviderRequest): Promise<ProviderResponse>;
}
