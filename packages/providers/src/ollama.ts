// Ollama's native API: `ollama_chat/` → /api/chat, `ollama/` → /api/generate (as in LiteLLM); both embed via /api/embed.
import type { ProviderAdapter, ProviderRequest } from './adapter.ts';
import type { Obj } from './chat-parts.ts';
import { type AdapterEnv, bearerHeaders, type HttpCall } from './exchange.ts';
import {
  fromOllamaChat,
  fromOllamaCompletion,
  fromOllamaEmbed,
  toOllamaChat,
  toOllamaEmbed,
  toOllamaGenerate,
} from './ollama-mapping.ts';
import { createOllamaStreamMapper } from './ollama-stream.ts';
import { ndjsonFraming } from './stream-framing.ts';
import { chatBody, mappedBody, mergedBody, requireEndpoint, translatedCall, trimBase } from './translate.ts';
import { jsonErrorOf, openTranslatedStream } from './translated-stream.ts';

export function createOllamaAdapter(
  env: AdapterEnv,
  kind: 'ollama' | 'ollama_chat' = 'ollama',
): ProviderAdapter {
  const adapter: ProviderAdapter = {
    kind,
    async call(req) {
      requireEndpoint(req, ['chat.completions', 'completions', 'embeddings']);
      const d = req.deployment;
      if (req.endpoint === 'embeddings') {
        const body = mergedBody(req);
        const call = {
          url: `${trimBase(d.apiBase)}/api/embed`,
          headers: bearerHeaders(d),
          body: mappedBody(req, () => toOllamaEmbed(body, d.model)),
        };
        return translatedCall(env, req, call, 'no `embeddings` array', fromOllamaEmbed);
      }
      const call = answerCall(req);
      if (req.endpoint === 'completions')
        return translatedCall(env, req, call, 'no `response`', (b) => fromOllamaCompletion(b));
      return translatedCall(env, req, call, usesChat(req) ? 'no `message`' : 'no `response`', (b) =>
        fromOllamaChat(b),
      );
    },
    async stream(req) {
      requireEndpoint(req, ['chat.completions', 'completions']);
      const call = answerCall(req);
      call.body = { ...(call.body as Obj), stream: true };
      return openTranslatedStream(env, req, call, {
        accept: 'application/x-ndjson',
        framing: ndjsonFraming,
        mapper: createOllamaStreamMapper,
        isLast: (line) => line.done === true,
        errorOf: jsonErrorOf,
      });
    },
  };
  return adapter;

  /** `ollama_chat/` chats through /api/chat; `ollama/` and every text completion go through /api/generate. */
  function usesChat(req: ProviderRequest): boolean {
    return kind === 'ollama_chat' && req.endpoint === 'chat.completions';
  }

  function answerCall(req: ProviderRequest): HttpCall {
    const d = req.deployment;
    const body = req.endpoint === 'chat.completions' ? chatBody(req) : mergedBody(req);
    const chat = usesChat(req);
    return {
      url: `${trimBase(d.apiBase)}/api/${chat ? 'chat' : 'generate'}`,
      headers: bearerHeaders(d),
      body: mappedBody(req, () => (chat ? toOllamaChat(body, d.model) : toOllamaGenerate(body, d.model))),
    };
  }
}

export function createOllamaChatAdapter(env: AdapterEnv): ProviderAdapter {
  return createOllamaAdapter(env, 'ollama_chat');
}
