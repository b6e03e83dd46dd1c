// The text a request sends to the model, pulled out of an OpenAI body once for token counting.
import type { Endpoint } from '../config/types.ts';
import { ENDPOINTS } from '../contract/endpoints.ts';

export interface PromptText {
  /** All prompt text joined by newlines (message contents, names, tool-call arguments; prompt strings). */
  text: string;
  /** Chat messages (each costs a few framing tokens). */
  messages: number;
  /** Entries sent as token ids already (completions/embeddings accept number arrays). */
  tokenIds: number;
}

const EMPTY: PromptText = { text: '', messages: 0, tokenIds: 0 };

/**
 * The endpoint's prompt key (ENDPOINTS): `messages` for chat, `prompt` for completions and images, `input`
 * for embeddings, speech and moderations, rerank's `query` with its documents; audio uploads count nothing.
 * Batched prompts are added up (conservative for per-prompt context checks). Non-text parts are not counted.
 */
export function promptText(endpoint: Endpoint, body: unknown): PromptText {
  if (typeof body !== 'object' || body === null) return EMPTY;
  const b = body as Record<string, unknown>;
  const key = ENDPOINTS[endpoint].promptKey;
  if (key === undefined) return EMPTY;
  if (key === 'messages') return chatText(b.messages);
  if (key === 'query')
    return inputText([b.query, ...documentTexts(b.documents)].filter((t) => typeof t === 'string'));
  return inputText(b[key]);
}

/** Rerank documents are strings or objects (`{text}` or any fields); objects count as their JSON. */
function documentTexts(documents: unknown): string[] {
  if (!Array.isArray(documents)) return [];
  return documents.map((d) => (typeof d === 'string' ? d : (JSON.stringify(d) ?? '')));
}

function chatText(messages: unknown): PromptText {
  if (!Array.isArray(messages)) return EMPTY;
  const parts: string[] = [];
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const m = message as Record<string, unknown>;
    pushContent(parts, m.content);
    if (typeof m.name === 'string') parts.push(m.name);
    if (Array.isArray(m.tool_calls))
      for (const call of m.tool_calls) pushFunction(parts, (call as { function?: unknown })?.function);
    pushFunction(parts, m.function_call);
  }
  return { text: parts.join('\n'), messages: messages.length, tokenIds: 0 };
}

function pushContent(parts: string[], content: unknown): void {
  if (typeof content === 'string') parts.push(content);
  else if (Array.isArray(content)) {
    for (const part of content) {
      const text = (part as { text?: unknown } | null)?.text;
      if (typeof text === 'string') parts.push(text);
    }
  }
}

function pushFunction(parts: string[], fn: unknown): void {
  if (typeof fn !== 'object' || fn === null) return;
  const { name, arguments: args } = fn as { name?: unknown; arguments?: unknown };
  if (typeof name === 'string') parts.push(name);
  if (typeof args === 'string') parts.push(args);
}

function inputText(input: unknown): PromptText {
  if (typeof input === 'string') return { text: input, messages: 0, tokenIds: 0 };
  if (!Array.isArray(input)) return EMPTY;
  const parts: string[] = [];
  let tokenIds = 0;
  for (const item of input) {
    if (typeof item === 'string') parts.push(item);
    else if (typeof item === 'number') tokenIds += 1;
    else if (Array.isArray(item)) tokenIds += item.length;
  }
  return { text: parts.join('\n'), messages: 0, tokenIds };
}
