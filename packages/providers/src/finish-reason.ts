// Bedrock, Cohere and Anthropic each name why a turn ended in their own words; a table per provider says which
// OpenAI finish_reason each word is, and a word the table does not know (a newer one) ends the turn as `stop`.
import type { FinishReason } from './chat-parts.ts';

export function finishMapper(
  table: Readonly<Record<string, FinishReason>>,
): (reason: unknown) => FinishReason {
  return (reason) => table[String(reason)] ?? 'stop';
}
