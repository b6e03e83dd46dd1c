// Gemini (Google AI Studio, API key) and Vertex AI (service account / ADC): one generateContent adapter, two dialects.
import type { Deployment, ProviderKind } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/core';
import type { ProviderAdapter, ProviderRequest } from './adapter.ts';
import { type AnthropicDialect, createAnthropicAdapter } from './anthropic.ts';
import type { Obj } from './chat-parts.ts';
import { malformedResponse } from './errors.ts';
import { type AdapterEnv, errorContext, exchange, type HttpCall } from './exchange.ts';
import {
  fromGeminiEmbed,
  fromGeminiResponse,
  fromVertexEmbed,
  toGeminiEmbed,
  toGeminiRequest,
  toVertexEmbed,
} from './gemini-mapping.ts';
import { createGeminiStreamMapper } from './gemini-stream.ts';
import { vertexAuthHeaders } from './google-auth.ts';
import { parseJsonObject } from './json-body.ts';
import { sseJsonFraming } from './stream-framing.ts';
import { chatBody, mappedBody, mergedBody, requireEndpoint, translatedCall, trimBase } from './translate.ts';
import { jsonErrorOf, openTranslatedStream } from './translated-stream.ts';

export interface GoogleDialect {
  kind: Extract<ProviderKind, 'gemini' | 'vertex_ai'>;
  /** `…/models/{model}:{method}` on this API. */
  url(d: Deployment, method: string): string;
  auth(d: Deployment): Pick<HttpCall, 'headers' | 'authorize'>;
}

export const geminiDialect: GoogleDialect = {
  kind: 'gemini',
  url: (d, method) => `${trimBase(d.apiBase)}/v1beta/models/${encodeURIComponent(d.model)}:${method}`,
  // The key goes in a header, not `?key=`, so it never sits in a URL that proxies and logs keep.
  auth: (d) => ({ headers: d.apiKey ? { 'x-goog-api-key': d.apiKey } : ({} as Record<string, string>) }),
};

export const vertexDialect: GoogleDialect = {
  kind: 'vertex_ai',
  url: (d, method) => {
    const v = d.vertex;
    const where = `projects/${encodeURIComponent(v?.project ?? '')}/locations/${encodeURIComponent(v?.location ?? '')}`;
    return `${trimBase(d.apiBase)}/v1/${where}/publishers/google/models/${encodeURIComponent(d.model)}:${method}`;
  },
  auth: (d) => ({
    headers: {},
    authorize: (url) => {
      if (!d.vertex) return Promise.reject(new Error('vertex_ai deployment without vertex settings'));
      return vertexAuthHeaders(d.vertex, url, d.id);
    },
  }),
};

function contentPolicy(req: ProviderRequest, reason: string): SwitchyardError {
  return new SwitchyardError('ContentPolicyViolationError', `${req.deployment.provider}: ${reason}`, {
    provider: req.deployment.provider,
    deploymentId: req.deployment.id,
  });
}

export function createGoogleAdapter(dialect: GoogleDialect, env: AdapterEnv): ProviderAdapter {
  const chatCall = (req: ProviderRequest, method: string): HttpCall => ({
    url: dialect.url(req.deployment, method),
    ...dialect.auth(req.deployment),
    body: mappedBody(req, () => toGeminiRequest(chatBody(req))),
  });
  return {
    kind: dialect.kind,
    async stream(req) {
      requireEndpoint(req, ['chat.completions']);
      const call = chatCall(req, 'streamGenerateContent');
      // `alt=sse`: server-sent events, one partial GenerateContentResponse each; the stream ends with the body.
      call.url += '?alt=sse';
      return openTranslatedStream(env, req, call, {
        accept: 'text/event-stream',
        framing: sseJsonFraming,
        mapper: createGeminiStreamMapper,
        errorOf: jsonErrorOf,
      });
    },
    async call(req) {
      requireEndpoint(req, ['chat.completions', 'embeddings']);
      const d = req.deployment;
      if (req.endpoint === 'embeddings') {
        const body = mergedBody(req);
        if (dialect.kind === 'vertex_ai') {
          const call = {
            url: dialect.url(d, 'predict'),
            ...dialect.auth(d),
            body: mappedBody(req, () => toVertexEmbed(body)),
          };
          return translatedCall(env, req, call, 'no `predictions` array', (b) => fromVertexEmbed(b, d.model));
        }
        const sent = mappedBody(req, () => toGeminiEmbed(body, d.model));
        const texts = (sent.requests as Obj[]).map((r) =>
          String((((r.content as Obj).parts as Obj[])[0] as Obj).text),
        );
        const call = { url: dialect.url(d, 'batchEmbedContents'), ...dialect.auth(d), body: sent };
        return translatedCall(env, req, call, 'no `embeddings` array', (b) =>
          fromGeminiEmbed(b, d.model, texts),
        );
      }
      const call = chatCall(req, 'generateContent');
      return exchange(env, req, call, (ex) => {
        const ctx = errorContext(req);
        const read = fromGeminiResponse(parseJsonObject(ctx, ex), d.model);
        if (read.kind === 'blocked') throw contentPolicy(req, read.reason);
        if (read.kind === 'malformed') throw malformedResponse(ctx, 'no `candidates`', ex.text, ex.headers);
        return { body: read.body, usage: read.usage, headers: ex.headers };
      });
    },
  };
}

export function createGeminiAdapter(env: AdapterEnv): ProviderAdapter {
  return createGoogleAdapter(geminiDialect, env);
}

/** Claude on Vertex AI: the Anthropic Messages body (no `model`, Vertex's `anthropic_version`) behind rawPredict. */
export const vertexAnthropicDialect: AnthropicDialect = {
  kind: 'vertex_ai',
  call(req, body, stream) {
    const d = req.deployment;
    const where = `projects/${encodeURIComponent(d.vertex?.project ?? '')}/locations/${encodeURIComponent(d.vertex?.location ?? '')}`;
    const method = stream ? 'streamRawPredict' : 'rawPredict';
    const { model: _model, ...rest } = body;
    return {
      url: `${trimBase(d.apiBase)}/v1/${where}/publishers/anthropic/models/${encodeURIComponent(d.model)}:${method}`,
      ...vertexDialect.auth(d),
      body: { ...rest, anthropic_version: VERTEX_ANTHROPIC_VERSION, ...(stream ? { stream: true } : {}) },
    };
  },
};
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/** `vertex_ai/claude-*` are Anthropic's models in Vertex's Model Garden (as in LiteLLM); the rest are Gemini. */
export function isVertexClaude(model: string): boolean {
  return model.startsWith('claude');
}

export function createVertexAdapter(env: AdapterEnv): ProviderAdapter {
  const gemini = createGoogleAdapter(vertexDialect, env);
  const claude = createAnthropicAdapter(env, vertexAnthropicDialect);
  const pick = (req: ProviderRequest) => (isVertexClaude(req.deployment.model) ? claude : gemini);
  return {
    kind: 'vertex_ai',
    call: (req) => pick(req).call(req),
    stream: (req) => pick(req).stream!(req),
  };
}
