// The OpenAI embeddings request's input and answer list as every translating adapter reads and writes them,
// so a provider's embedding mapping holds only what is its own.
import type { Usage } from './adapter.ts';
import { MappingError, type Obj } from './chat-parts.ts';

/** `input` as a list of texts; token-id arrays (which no translated provider takes) are refused for `provider`. */
export function embeddingTexts(body: Obj, provider: string): string[] {
  const input = body.input;
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts) || !texts.every((x) => typeof x === 'string')) {
    throw new MappingError(`embeddings input must be a string or a list of strings for ${provider}`);
  }
  return texts as string[];
}

/** OpenAI's embeddings answer (`model` as the provider names it) and the usage the router records. */
export function embeddingList(
  vectors: readonly unknown[],
  model: unknown,
  promptTokens: number,
): { body: Obj; usage: Usage } {
  return {
    body: {
      object: 'list',
      data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
      model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
    usage: { promptTokens, completionTokens: 0, totalTokens: promptTokens },
  };
}
