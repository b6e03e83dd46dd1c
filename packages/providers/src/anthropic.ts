// Anthropic Messages API: chat completions only, translated to and from the OpenAI shape — from Anthropic
// itself or from Claude on Vertex AI (the same body behind `rawPredict`, with `anthropic_version` in it).
import { SwitchyardError } from '@switchyard/core';
import type { ProviderAdapter, ProviderRequest } from './adapter.ts';
import { fromAnthropicResponse, toAnthropicRequest } from './anthropic-mapping.ts';
import { AnthropicStreamError, createAnthropicChunkMapper } from './anthropic-stream.ts';
import { classifyErrorBody, malformedResponse } from './errors.ts';
import { type AdapterEnv, errorContext, exchange, type HttpCall } from './exchange.ts';
import { parseJsonObject } from './json-body.ts';
import { openStream } from './stream-exchange.ts';
import { sseFraming } from './stream-framing.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

/** Where a Messages body goes and how it is authorised. */
export interface AnthropicDialect {
  kind: 'anthropic' | 'vertex_ai';
  call(req: ProviderRequest, body: Record<string, unknown>, stream: boolean): HttpCall;
}

export const anthropicDialect: AnthropicDialect = {
  kind: 'anthropic',
  call(req, body, stream) {
    const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION };
    if (req.deployment.apiKey) headers['x-api-key'] = req.deployment.apiKey;
    return {
      url: anthropicUrl(req.deployment.apiBase),
      headers,
      body: stream ? { ...body, stream: true } : body,
    };
  },
};

function badRequest(req: ProviderRequest, message: string): SwitchyardError {
  const provider = req.deployment.provider;
  return new SwitchyardError('BadRequestError', `${provider}: ${message}`, {
    provider,
    deploymentId: req.deployment.id,
  });
}

export function anthropicUrl(apiBase: string): string {
  // Both `https://api.anthropic.com` and `…/v1` are seen in configs.
  return `${apiBase.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/messages`;
}

/** The Messages API body for an OpenAI chat request; throws BadRequestError when it cannot be mapped. */
function messagesBody(req: ProviderRequest): Record<string, unknown> {
  if (req.endpoint !== 'chat.completions') {
    throw badRequest(req, `${req.endpoint} is not supported by anthropic (chat.completions only)`);
  }
  const merged = { ...req.deployment.extraParams, ...req.body };
  const mapped = toAnthropicRequest(merged, req.deployment.model, {
    dropParams: req.deployment.dropParams === true,
  });
  if (!mapped.ok) throw badRequest(req, mapped.error);
  return mapped.value;
}

export function createAnthropicAdapter(
  env: AdapterEnv,
  dialect: AnthropicDialect = anthropicDialect,
): ProviderAdapter {
  return {
    kind: dialect.kind,
    async stream(req) {
      const call = dialect.call(req, messagesBody(req), true);
      const map = createAnthropicChunkMapper();
      const ctx = errorContext(req);
      return openStream(env, req, call, {
        accept: 'text/event-stream',
        framing: sseFraming,
        decode: (event) => {
          try {
            return map(event);
          } catch (err) {
            if (err instanceof AnthropicStreamError) throw classifyErrorBody(ctx, err.body, {});
            throw err;
          }
        },
      });
    },
    async call(req) {
      const call = dialect.call(req, messagesBody(req), false);
      return exchange(env, req, call, (ex) => {
        const ctx = errorContext(req);
        const out = fromAnthropicResponse(parseJsonObject(ctx, ex));
        if (!out) throw malformedResponse(ctx, 'no `content` array', ex.text, ex.headers);
        return { body: out.body, usage: out.usage, headers: ex.headers };
      });
    },
  };
}
