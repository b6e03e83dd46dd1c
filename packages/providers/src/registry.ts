// The providers a worker uses: one adapter per kind over one shared set of HTTP pools.
import {
  CodedError,
  DEFAULT_MAX_AUDIO_BYTES,
  ERROR_CODES,
  type ProviderKind,
  SwitchyardError,
} from '@switchyard/core';
import type { ProviderAdapter, ProviderRequest, ProviderResponse, ProviderStream } from './adapter.ts';
import { createAnthropicAdapter } from './anthropic.ts';
import { createAzureAdapter } from './azure.ts';
import { createBedrockAdapter } from './bedrock.ts';
import { createCohereAdapter } from './cohere.ts';
import { refuseBlockedResponse, refuseBlockedStream } from './content-filter.ts';
import type { AdapterEnv } from './exchange.ts';
import { createGeminiAdapter, createVertexAdapter } from './gemini.ts';
import { createHttpPools } from './http-pool.ts';
import { createOllamaAdapter, createOllamaChatAdapter } from './ollama.ts';
import { createOpenAIAdapter } from './openai.ts';

/** LiteLLM's default request timeout (600 s), used when neither deployment nor caller sets one. */
export const DEFAULT_TIMEOUT_MS = 600_000;

export interface ProvidersOptions {
  defaultTimeoutMs?: number;
  /** Router-wide `stream_timeout`: the wait allowed for each streamed event (the first one included). */
  defaultStreamTimeoutMs?: number | undefined;
  /** Max sockets per provider origin. */
  connections?: number;
  /** Cap on audio a provider answers (`switchyard_settings.max_audio_bytes`). @defaultValue DEFAULT_MAX_AUDIO_BYTES */
  maxAudioBytes?: number;
}

export interface Providers {
  get(kind: ProviderKind): ProviderAdapter;
  /** Dispatch on `request.deployment.provider`. */
  call(request: ProviderRequest): Promise<ProviderResponse>;
  /** The same, streamed as OpenAI chunks; BadRequestError for a provider that cannot stream. */
  stream(request: ProviderRequest): Promise<ProviderStream>;
  /** Graceful: waits for requests in progress, then closes every pooled socket. */
  close(): Promise<void>;
}

const FACTORIES: Readonly<Record<ProviderKind, (env: AdapterEnv) => ProviderAdapter>> = {
  openai: createOpenAIAdapter,
  azure: createAzureAdapter,
  anthropic: createAnthropicAdapter,
  bedrock: createBedrockAdapter,
  cohere: createCohereAdapter,
  gemini: createGeminiAdapter,
  vertex_ai: createVertexAdapter,
  ollama: createOllamaAdapter,
  ollama_chat: createOllamaChatAdapter,
};

export function createProviders(opts: ProvidersOptions = {}): Providers {
  const pools = createHttpPools({ connections: opts.connections });
  const env: AdapterEnv = {
    pools,
    defaultTimeoutMs: opts.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    defaultStreamTimeoutMs: opts.defaultStreamTimeoutMs,
    maxAudioBytes: opts.maxAudioBytes ?? DEFAULT_MAX_AUDIO_BYTES,
  };
  const adapters = new Map<ProviderKind, ProviderAdapter>();
  const get = (kind: ProviderKind): ProviderAdapter => {
    let a = adapters.get(kind);
    if (!a) {
      const factory = FACTORIES[kind];
      if (!factory)
        throw new CodedError(ERROR_CODES.unknownProvider, `unknown provider kind: ${String(kind)}`);
      a = factory(env);
      adapters.set(kind, a);
    }
    return a;
  };
  return {
    get,
    call: async (request) =>
      refuseBlockedResponse(request, await get(request.deployment.provider).call(request)),
    stream: async (request) => {
      const adapter = get(request.deployment.provider);
      if (!adapter.stream) {
        throw new SwitchyardError('BadRequestError', `${adapter.kind}: streaming is not supported`, {
          provider: adapter.kind,
          deploymentId: request.deployment.id,
        });
      }
      return refuseBlockedStream(request, await adapter.stream(request));
    },
    close: () => pools.close(),
  };
}
