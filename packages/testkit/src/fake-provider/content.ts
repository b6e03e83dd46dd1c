// Deterministic reply content and rough token counts (~4 characters a token), shared by JSON and SSE answers.
import { createHash } from 'node:crypto';

const ECHO_LIMIT = 200;

export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function partText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) =>
        p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string'
          ? (p as { text: string }).text
          : '',
      )
      .join('');
  }
  return '';
}

/** All text the request sends to the model (messages, system, prompt), for usage counting. */
export function promptText(body: Record<string, unknown>): string {
  const parts: string[] = [];
  if (body.system !== undefined) parts.push(partText(body.system));
  if (Array.isArray(body.messages)) {
    for (const m of body.messages) parts.push(partText((m as { content?: unknown })?.content));
  }
  if (body.prompt !== undefined)
    parts.push(Array.isArray(body.prompt) ? body.prompt.join('\n') : String(body.prompt));
  return parts.join('\n');
}

/** "echo: <last user message>" (or the prompt), truncated, so tests can see which request was served. */
export function echoReply(body: Record<string, unknown>): string {
  let last = '';
  if (Array.isArray(body.messages)) {
    for (const m of body.messages) {
      if ((m as { role?: unknown })?.role === 'user') last = partText((m as { content?: unknown }).content);
    }
  } else if (body.prompt !== undefined) {
    last = Array.isArray(body.prompt) ? String(body.prompt.at(-1) ?? '') : String(body.prompt);
  }
  return `echo: ${last.slice(0, ECHO_LIMIT)}`;
}

/** Embedding inputs as strings: a string, an array of strings, or token arrays. */
export function embeddingInputs(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input)) {
    if (input.every((x) => typeof x === 'number')) return [input.join(' ')];
    return input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  }
  return [''];
}

/** A unit-length vector derived from the text's hash: same input, same embedding. */
export function embeddingVector(text: string, dimensions: number): number[] {
  const out: number[] = [];
  let block = createHash('sha256').update(text).digest();
  for (let i = 0; i < dimensions; i++) {
    if (i > 0 && i % 32 === 0) block = createHash('sha256').update(block).digest();
    out.push((block[i % 32]! - 127.5) / 127.5);
  }
  const norm = Math.hypot(...out) || 1;
  return out.map((v) => Number((v / norm).toFixed(6)));
}

export function randomId(prefix: string): string {
  return `${prefix}${createHash('sha1').update(`${Date.now()}:${Math.random()}`).digest('hex').slice(0, 24)}`;
}
