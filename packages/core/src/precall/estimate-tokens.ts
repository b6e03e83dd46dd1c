// A cheap token estimate for TPM reservations; the worker corrects the reservation with real usage after.
import type { Endpoint } from '../config/types.ts';
import { ENDPOINTS } from '../contract/endpoints.ts';
import { promptText } from './prompt-text.ts';

/** Completion tokens assumed when the request sets no max_tokens / max_completion_tokens. */
export const DEFAULT_COMPLETION_TOKENS = 256;
const TOKENS_PER_MESSAGE = 4;

/**
 * ≈ prompt characters / 4 (+ a few framing tokens per chat message, + token-id entries) plus the
 * completion budget: `max_completion_tokens`, else `max_tokens`, else DEFAULT_COMPLETION_TOKENS
 * (0 for endpoints that generate no text: embeddings, images, audio, moderations, rerank). No tokenizer: this runs for every job and only needs to be about right.
 */
export function estimateTokens(endpoint: Endpoint, body: unknown): number {
  const prompt = promptText(endpoint, body);
  const promptTokens =
    Math.ceil(prompt.text.length / 4) + prompt.messages * TOKENS_PER_MESSAGE + prompt.tokenIds;
  return promptTokens + completionBudget(endpoint, body);
}

function completionBudget(endpoint: Endpoint, body: unknown): number {
  if (!ENDPOINTS[endpoint].generatesText) return 0;
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  for (const key of ['max_completion_tokens', 'max_tokens']) {
    const value = b[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.ceil(value);
  }
  return DEFAULT_COMPLETION_TOKENS;
}
