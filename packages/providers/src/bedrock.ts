// AWS Bedrock: chat through the Converse API (one request shape for every model family), embeddings through
// InvokeModel (Titan, Cohere); every request SigV4-signed.

import type { EventStreamCodec } from '@smithy/eventstream-codec';
import { SwitchyardError } from '@switchyard/core';
import type { ProviderAdapter, ProviderRequest, ProviderResponse } from './adapter.ts';
import { sigV4Headers } from './aws-sign.ts';
import {
  type BedrockEmbedFamily,
  embedFamily,
  fromBedrockEmbed,
  fromConverseResponse,
  toBedrockEmbed,
  toConverseRequest,
} from './bedrock-mapping.ts';
import { createBedrockStreamMapper } from './bedrock-stream.ts';
import { type ChunkMeta, newToolCallId, type Obj } from './chat-parts.ts';
import { malformedResponse } from './errors.ts';
import { type AdapterEnv, errorContext, exchange, type HttpCall } from './exchange.ts';
import { parseJsonObject } from './json-body.ts';
import { embeddingList } from './openai-embeddings.ts';
import { type AwsStreamMessage, awsEventStreamFraming } from './stream-framing.ts';
import { badRequest, chatBody, mappedBody, mergedBody, requireEndpoint, trimBase } from './translate.ts';
import { openTranslatedStream } from './translated-stream.ts';

/** The OpenAI chat parameters Converse has a counterpart for (the rest: refused, or dropped with drop_params). */
const SUPPORTED: ReadonlySet<string> = new Set([
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'tools',
  'tool_choice',
  'n',
]);

/** LiteLLM's `bedrock/converse/<model>` names the route, not the model. */
export function bedrockModelId(model: string): string {
  return model.replace(/^converse\//, '');
}

function call(req: ProviderRequest, action: string, body: unknown): HttpCall {
  const d = req.deployment;
  const aws = d.aws;
  return {
    url: `${trimBase(d.apiBase)}/model/${encodeURIComponent(bedrockModelId(d.model))}/${action}`,
    headers: {},
    body,
    authorize: (url, headers, text) => {
      if (!aws) return Promise.reject(new Error('bedrock deployment without aws settings'));
      return sigV4Headers(aws, url, headers, text, d.id);
    },
  };
}

async function embed(
  env: AdapterEnv,
  req: ProviderRequest,
  family: BedrockEmbedFamily,
): Promise<ProviderResponse> {
  const bodies = mappedBody(req, () => toBedrockEmbed(family, mergedBody(req)));
  const reads = await Promise.all(
    bodies.map((b) =>
      exchange(env, req, call(req, 'invoke', b), (ex) => {
        const ctx = errorContext(req);
        const read = fromBedrockEmbed(family, parseJsonObject(ctx, ex));
        if (!read) throw malformedResponse(ctx, 'no embedding', ex.text, ex.headers);
        // Bedrock reports input tokens in a header on every InvokeModel answer; Titan also puts it in the body.
        const header = Number(ex.headers['x-amzn-bedrock-input-token-count']);
        return {
          ...read,
          tokens: read.tokens || (Number.isFinite(header) ? header : 0),
          headers: ex.headers,
        };
      }),
    ),
  );
  const promptTokens = reads.reduce((n, r) => n + r.tokens, 0);
  return {
    ...embeddingList(
      reads.flatMap((r) => r.vectors),
      req.deployment.model,
      promptTokens,
    ),
    headers: reads.at(-1)?.headers ?? {},
  };
}

function converseBody(req: ProviderRequest): Obj {
  return mappedBody(req, () => toConverseRequest(chatBody(req, SUPPORTED)));
}

let codec: Promise<EventStreamCodec> | undefined;
/** Loaded on the first Bedrock stream, like the signer: workers without Bedrock never load the AWS modules. */
function eventStreamCodec(): Promise<EventStreamCodec> {
  codec ??= import('@smithy/eventstream-codec').then(
    (m) =>
      new m.EventStreamCodec(
        (bytes) => new TextDecoder().decode(bytes),
        (text) => new TextEncoder().encode(text),
      ),
  );
  return codec;
}

/** ConverseStream's messages as the `{ <eventType>: payload }` objects the mapper (and the AWS SDK) use. */
function bedrockStreamMapper(meta: ChunkMeta): (message: AwsStreamMessage) => Obj[] {
  const map = createBedrockStreamMapper(meta);
  return (m) => {
    // Unmodelled errors name the exception in `:error-code` (`ThrottlingException`); events are camelCase.
    const type = m.kind === 'error' ? m.type.charAt(0).toLowerCase() + m.type.slice(1) : m.type;
    const chunks = map({ [type]: m.payload }); // throws for the exceptions it knows
    if (m.kind === 'event') return chunks;
    throw new SwitchyardError(
      'InternalServerError',
      `bedrock: ${m.type}: ${String(m.payload.message ?? '')}`,
      {
        provider: 'bedrock',
      },
    );
  };
}

export function createBedrockAdapter(env: AdapterEnv): ProviderAdapter {
  return {
    kind: 'bedrock',
    async stream(req) {
      requireEndpoint(req, ['chat.completions']);
      const c = await eventStreamCodec();
      return openTranslatedStream(env, req, call(req, 'converse-stream', converseBody(req)), {
        accept: 'application/vnd.amazon.eventstream',
        framing: () => awsEventStreamFraming(c),
        mapper: bedrockStreamMapper,
        // `metadata` (usage) follows `messageStop` and closes the answer.
        isLast: (m) => m.kind === 'event' && m.type === 'metadata',
        model: bedrockModelId(req.deployment.model),
      });
    },
    async call(req) {
      requireEndpoint(req, ['chat.completions', 'embeddings']);
      const d = req.deployment;
      if (req.endpoint === 'embeddings') {
        const family = embedFamily(bedrockModelId(d.model));
        if (!family)
          throw badRequest(
            req,
            `embeddings with ${d.model} are not supported (amazon.titan-embed-*, cohere.embed-* are)`,
          );
        return embed(env, req, family);
      }
      return exchange(env, req, call(req, 'converse', converseBody(req)), (ex) => {
        const ctx = errorContext(req);
        const id = `chatcmpl-${ex.headers['x-amzn-requestid'] ?? newToolCallId().slice(5)}`;
        const out = fromConverseResponse(parseJsonObject(ctx, ex), bedrockModelId(d.model), id);
        if (!out) throw malformedResponse(ctx, 'no `output.message`', ex.text, ex.headers);
        return { ...out, headers: ex.headers };
      });
    },
  };
}
