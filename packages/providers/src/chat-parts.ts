// Pieces of the OpenAI chat format every translating adapter reads and writes: text, images, tool calls, stops,
// and the OpenAI `chat.completion` / `chat.completion.chunk` objects built from a provider's answer.

import { randomUUID } from 'node:crypto';
import { CodedError, ERROR_CODES } from '@switchyard/core';
import type { Usage } from './adapter.ts';

export type Obj = Record<string, unknown>;
export type Mapped<T> = { ok: true; value: T } | { ok: false; error: string };

/** A request the provider cannot express; becomes a BadRequestError naming the provider. */
export class MappingError extends CodedError {
  constructor(message: string) {
    super(ERROR_CODES.providerMapping, message);
  }
}

/** Runs a mapping, turning MappingError into `{ ok: false }` (anything else is a bug and propagates). */
export function mapped<T>(fn: () => T): Mapped<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (err instanceof MappingError) return { ok: false, error: err.message };
    throw err;
  }
}

export function messagesOf(body: Obj): Obj[] {
  if (!Array.isArray(body.messages)) throw new MappingError('`messages` must be an array');
  return body.messages as Obj[];
}

/** The text of a string or of the text parts of a content array. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((p) => (typeof (p as Obj)?.text === 'string' ? (p as Obj).text : '')).join('');
  return '';
}

export type ImageRef = { kind: 'base64'; mediaType: string; data: string } | { kind: 'url'; url: string };

/** An `image_url` part: a `data:` URL is inline bytes, anything else a link. */
export function imageOf(part: Obj): ImageRef {
  const url = typeof part.image_url === 'string' ? part.image_url : (part.image_url as Obj | undefined)?.url;
  if (typeof url !== 'string') throw new MappingError('image_url part without a url');
  const data = /^data:([^;]+);base64,(.*)$/s.exec(url);
  if (data) return { kind: 'base64', mediaType: data[1]!, data: data[2]! };
  return { kind: 'url', url };
}

/** Content parts as text and images, in order; other part types are refused for `provider`. */
export function contentParts(
  content: unknown,
  provider: string,
): ({ kind: 'text'; text: string } | { kind: 'image'; image: ImageRef })[] {
  if (typeof content === 'string') return content === '' ? [] : [{ kind: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return content.map((p: Obj) => {
    if (p?.type === 'text') return { kind: 'text', text: String(p.text ?? '') };
    if (p?.type === 'image_url') return { kind: 'image', image: imageOf(p) };
    throw new MappingError(`content part type "${String(p?.type)}" is not supported for ${provider}`);
  });
}

export interface ToolCallIn {
  id: string;
  name: string;
  args: Obj;
}

/** An assistant message's `tool_calls`, arguments parsed. */
export function toolCallsOf(message: Obj): ToolCallIn[] {
  const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as Obj[]) : [];
  return calls.map((call) => {
    const fn = (call.function ?? {}) as Obj;
    let args: unknown = {};
    try {
      args = typeof fn.arguments === 'string' && fn.arguments !== '' ? JSON.parse(fn.arguments) : {};
    } catch {
      throw new MappingError(`tool call ${String(call.id)} has arguments that are not JSON`);
    }
    return { id: String(call.id ?? ''), name: String(fn.name ?? ''), args: (args ?? {}) as Obj };
  });
}

export interface ToolDef {
  name: string;
  description?: string;
  parameters: Obj;
}

export function toolDefsOf(body: Obj): ToolDef[] | undefined {
  if (!Array.isArray(body.tools)) return undefined;
  return (body.tools as Obj[]).map((t) => {
    const fn = (t.function ?? {}) as Obj;
    const def: ToolDef = {
      name: String(fn.name ?? ''),
      parameters: (fn.parameters as Obj) ?? { type: 'object' },
    };
    if (typeof fn.description === 'string') def.description = fn.description;
    return def;
  });
}

/** `tool_choice` as one of four intents. */
export type ToolChoice = { mode: 'auto' | 'none' | 'required' } | { mode: 'tool'; name: string };

export function toolChoiceOf(body: Obj): ToolChoice | undefined {
  const c = body.tool_choice;
  if (c === undefined || c === null) return undefined;
  if (c === 'auto' || c === 'none' || c === 'required') return { mode: c };
  const name = ((c as Obj)?.function as Obj | undefined)?.name;
  if (typeof name === 'string') return { mode: 'tool', name };
  throw new MappingError('unsupported tool_choice');
}

export function stopList(body: Obj): string[] | undefined {
  const s = body.stop;
  if (s === undefined || s === null) return undefined;
  return (Array.isArray(s) ? s : [s]).map(String);
}

export function maxTokensOf(body: Obj): number | undefined {
  const v = body.max_completion_tokens ?? body.max_tokens;
  return typeof v === 'number' ? v : undefined;
}

export function refuseN(body: Obj, provider: string): void {
  if (typeof body.n === 'number' && body.n > 1)
    throw new MappingError(`n > 1 is not supported for ${provider}`);
}

/** Providers that give tool calls no id get one, as LiteLLM does. */
export function newToolCallId(): string {
  return `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

export interface ToolCallOut {
  id: string;
  name: string;
  /** JSON text. */
  arguments: string;
}

/** A provider's tool call (arguments as an object) as OpenAI's; a call without a string id gets one. */
export function toolCallOut(id: unknown, name: unknown, args: unknown): ToolCallOut {
  return {
    id: typeof id === 'string' ? id : newToolCallId(),
    name: String(name ?? ''),
    arguments: JSON.stringify(args ?? {}),
  };
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ChatAnswer {
  id: string;
  model: string;
  text: string;
  toolCalls: ToolCallOut[];
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  created?: number;
}

/** OpenAI `chat.completion` and the usage the router records. */
export function chatCompletion(a: ChatAnswer, now: number = Date.now()): { body: Obj; usage: Usage } {
  const usage: Usage = {
    promptTokens: a.promptTokens,
    completionTokens: a.completionTokens,
    totalTokens: a.promptTokens + a.completionTokens,
  };
  const message: Obj = {
    role: 'assistant',
    content: a.text === '' && a.toolCalls.length > 0 ? null : a.text,
  };
  if (a.toolCalls.length > 0) {
    message.tool_calls = a.toolCalls.map((t) => ({
      id: t.id,
      type: 'function',
      function: { name: t.name, arguments: t.arguments },
    }));
  }
  // A model that asked for tools finished to call them, whatever the provider's own stop reason says.
  const finish = a.toolCalls.length > 0 && a.finishReason === 'stop' ? 'tool_calls' : a.finishReason;
  return {
    body: {
      id: a.id,
      object: 'chat.completion',
      created: a.created ?? Math.floor(now / 1000),
      model: a.model,
      choices: [{ index: 0, message, finish_reason: finish }],
      usage: {
        prompt_tokens: usage.promptTokens,
        completion_tokens: usage.completionTokens,
        total_tokens: usage.totalTokens,
      },
    },
    usage,
  };
}

export interface ChunkMeta {
  id: string;
  model: string;
  created: number;
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string;
  tool_calls?: {
    index: number;
    id?: string;
    type?: 'function';
    function: { name?: string; arguments: string };
  }[];
}

/** One OpenAI `chat.completion.chunk`; `usage` only on the final one, as with `stream_options.include_usage`. */
export function chatChunk(
  meta: ChunkMeta,
  delta: ChunkDelta,
  finishReason: FinishReason | null = null,
  usage?: { promptTokens: number; completionTokens: number },
): Obj {
  const chunk: Obj = {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
  if (usage) {
    chunk.usage = {
      prompt_tokens: usage.promptTokens,
      completion_tokens: usage.completionTokens,
      total_tokens: usage.promptTokens + usage.completionTokens,
    };
  }
  return chunk;
}
