// Ollama's native API: `ollama_chat/` → /api/chat, `ollama/` → /api/generate (as in LiteLLM); both embed via /api/embed.
import type { ProviderAdapter } from './adapter.ts';
import { mapped } from './chat-parts.ts';
import type { AdapterEnv } from './exchange.ts';
import {
  fromOllamaChat,
  fromOllamaCompletion,
  fromOllamaEmbed,
  toOllamaChat,
  toOllamaEmbed,
  toOllamaGenerate,
} from './ollama-mapping.ts';
import {
  chatBody,
  mergedBody,
  requireEndpoint,
  TRANSLATED_CHAT_PARAMS,
  translatedCall,
  trimBase,
  unwrap,
} from './translate.ts';

/** The OpenAI chat parameters this provider has a counterpart for (the rest: refused, or dropped with drop_params). */
const SUPPORTED = TRANSLATED_CHAT_PARAMS;

export function createOllamaAdapter(
  env: AdapterEnv,
  kind: 'ollama' | 'ollama_chat' = 'ollama',
): ProviderAdapter {
  return {
    kind,
    async call(req) {
      requireEndpoint(req, ['chat.completions', 'completions', 'embeddings']);
      const d = req.deployment;
      const body = req.endpoint === 'chat.completions' ? chatBody(req, SUPPORTED) : mergedBody(req);
      const base = trimBase(d.apiBase);
      // Ollama runs keyless locally; ollama.com and proxies in front of it take a bearer key.
      const headers: Record<string, string> = d.apiKey ? { authorization: `Bearer ${d.apiKey}` } : {};
      if (req.endpoint === 'embeddings') {
        const call = {
          url: `${base}/api/embed`,
          headers,
          body: unwrap(
            req,
            mapped(() => toOllamaEmbed(body, d.model)),
          ),
        };
        return translatedCall(env, req, call, 'no `embeddings` array', fromOllamaEmbed);
      }
      if (req.endpoint === 'completions') {
        const call = {
          url: `${base}/api/generate`,
          headers,
          body: unwrap(
            req,
            mapped(() => toOllamaGenerate(body, d.model)),
          ),
        };
        return translatedCall(env, req, call, 'no `response`', (b) => fromOllamaCompletion(b));
      }
      const chat = kind === 'ollama_chat';
      const mappedBody = unwrap(
        req,
        mapped(() => (chat ? toOllamaChat(body, d.model) : toOllamaGenerate(body, d.model))),
      );
      const call = { url: `${base}/api/${chat ? 'chat' : 'generate'}`, headers, body: mappedBody };
      return translatedCall(env, req, call, chat ? 'no `message`' : 'no `response`', (b) =>
        fromOllamaChat(b),
      );
    },
  };
}

export function createOllamaChatAdapter(env: AdapterEnv): ProviderAdapter {
  return createOllamaAdapter(env, 'ollama_chat');
}
