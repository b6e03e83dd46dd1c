// An OpenAI `usage` object as the router's Usage: chat's prompt/completion tokens, or the Images and Audio
// APIs' input/output tokens. Read wherever an OpenAI-shaped answer is: a call, a stream's last chunk, a cached answer.
import type { Usage } from './adapter.ts';
import { num } from './json-body.ts';

export function openAIUsage(u: Record<string, unknown>): Usage {
  const promptTokens = num(u.prompt_tokens) || num(u.input_tokens);
  const completionTokens = num(u.completion_tokens) || num(u.output_tokens);
  return {
    promptTokens,
    completionTokens,
    totalTokens: num(u.total_tokens) || promptTokens + completionTokens,
  };
}
