// Cohere v2: chat, embeddings, and rerank (LiteLLM's rerank shape, which is Cohere's).
import type { ProviderAdapter, ProviderRequest, ProviderResponse } from './adapter.ts';
import type { Obj } from './chat-parts.ts';
import {
  fromCohereChat,
  fromCohereEmbed,
  fromCohereRerank,
  toCohereChat,
  toCohereEmbed,
  toCohereRerank,
} from './cohere-mapping.ts';
import { createCohereStreamMapper } from './cohere-stream.ts';
import { type AdapterEnv, bearerHeaders, type HttpCall } from './exchange.ts';
import { sseJsonFraming } from './stream-framing.ts';
import { chatBody, mappedBody, mergedBody, requireEndpoint, translatedCall, trimBase } from './translate.ts';
import { jsonErrorOf, openTranslatedStream } from './translated-stream.ts';

export interface CohereAdapter extends ProviderAdapter {
  /** `body` is LiteLLM's rerank request (`query`, `documents`, `top_n`, `return_documents`). */
  rerank(request: Omit<ProviderRequest, 'endpoint'>): Promise<ProviderResponse>;
}

function chatCall(req: ProviderRequest): HttpCall {
  return {
    url: `${trimBase(req.deployment.apiBase)}/v2/chat`,
    headers: bearerHeaders(req.deployment),
    body: mappedBody(req, () => toCohereChat(chatBody(req), req.deployment.model)),
  };
}

export function createCohereAdapter(env: AdapterEnv): CohereAdapter {
  const adapter: CohereAdapter = {
    kind: 'cohere',
    async stream(req) {
      requireEndpoint(req, ['chat.completions']);
      const call = chatCall(req);
      call.body = { ...(call.body as Obj), stream: true };
      return openTranslatedStream(env, req, call, {
        accept: 'text/event-stream',
        framing: sseJsonFraming,
        mapper: createCohereStreamMapper,
        isLast: (event) => event.type === 'message-end',
        errorOf: jsonErrorOf,
      });
    },
    async call(req) {
      requireEndpoint(req, ['chat.completions', 'embeddings', 'rerank']);
      if (req.endpoint === 'rerank') return adapter.rerank(req);
      const d = req.deployment;
      if (req.endpoint === 'embeddings') {
        const body = mergedBody(req);
        const call = {
          url: `${trimBase(d.apiBase)}/v2/embed`,
          headers: bearerHeaders(req.deployment),
          body: mappedBody(req, () => toCohereEmbed(body, d.model)),
        };
        return translatedCall(env, req, call, 'no `embeddings.float` array', (b) =>
          fromCohereEmbed(b, d.model),
        );
      }
      const call = chatCall(req);
      return translatedCall(env, req, call, 'no `message`', (b) => {
        const out = fromCohereChat(b);
        // Cohere's chat answer does not name the model; the deployment's is what served it.
        if (out) out.body.model = d.model;
        return out;
      });
    },
    async rerank(r) {
      const req: ProviderRequest = { ...r, endpoint: 'rerank' };
      const body = mergedBody(req);
      const d = r.deployment;
      const call = {
        url: `${trimBase(d.apiBase)}/v2/rerank`,
        headers: bearerHeaders(d),
        body: mappedBody(req, () => toCohereRerank(body, d.model)),
      };
      return translatedCall(env, req, call, 'no `results` array', (b) => fromCohereRerank(b, body));
    },
  };
  return adapter;
}
