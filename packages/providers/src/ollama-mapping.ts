// Pure translation between the OpenAI format and Ollama's native API (/api/chat, /api/generate, /api/embed).
import type { Usage } from './adapter.ts';
import {
  type ChatAnswer,
  chatCompletion,
  contentParts,
  type FinishReason,
  MappingError,
  messagesOf,
  newToolCallId,
  type Obj,
  refuseN,
  textOf,
  toolCallOut,
  toolCallsOf,
  toolDefsOf,
} from './chat-parts.ts';
import { type GenerationNames, generationParams } from './generation-params.ts';
import { num } from './json-body.ts';
import { embeddingList, embeddingTexts } from './openai-embeddings.ts';

/** OpenAI generation parameters → Ollama `options` (its names where they differ). */
const OPTIONS: GenerationNames = {
  renamed: {
    temperature: 'temperature',
    top_p: 'top_p',
    top_k: 'top_k',
    seed: 'seed',
    presence_penalty: 'presence_penalty',
    frequency_penalty: 'frequency_penalty',
  },
  maxTokens: 'num_predict',
  stop: 'stop',
};

function options(body: Obj): Obj | undefined {
  const out = generationParams(body, OPTIONS);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `response_format` → Ollama `format`: `"json"` or the JSON schema itself. */
function format(body: Obj): unknown {
  const rf = body.response_format as Obj | undefined;
  if (rf?.type === 'json_object') return 'json';
  if (rf?.type === 'json_schema') return ((rf.json_schema ?? {}) as Obj).schema;
  return undefined;
}

/** Ollama takes images as bare base64; a link would have to be fetched, which a router should not do. */
function images(content: unknown, provider: string): { text: string; images: string[] } {
  const parts = contentParts(content, provider);
  const out: string[] = [];
  for (const p of parts) {
    if (p.kind !== 'image') continue;
    if (p.image.kind !== 'base64') throw new MappingError(`${provider} takes images as data: URLs only`);
    out.push(p.image.data);
  }
  return { text: parts.map((p) => (p.kind === 'text' ? p.text : '')).join(''), images: out };
}

function common(body: Obj, model: string): Obj {
  const out: Obj = { model, stream: false };
  const opts = options(body);
  if (opts) out.options = opts;
  const fmt = format(body);
  if (fmt !== undefined) out.format = fmt;
  if (body.keep_alive !== undefined) out.keep_alive = body.keep_alive;
  return out;
}

/** OpenAI chat → `/api/chat` (`ollama_chat/`). */
export function toOllamaChat(body: Obj, model: string): Obj {
  refuseN(body, 'ollama');
  const names = new Map<string, string>();
  const messages = messagesOf(body).map((m) => {
    switch (m.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: textOf(m.content) };
      case 'user': {
        const { text, images: imgs } = images(m.content, 'ollama');
        return imgs.length > 0
          ? { role: 'user', content: text, images: imgs }
          : { role: 'user', content: text };
      }
      case 'assistant': {
        const calls = toolCallsOf(m);
        for (const c of calls) names.set(c.id, c.name);
        const out: Obj = { role: 'assistant', content: textOf(m.content) };
        if (calls.length > 0)
          out.tool_calls = calls.map((c) => ({ function: { name: c.name, arguments: c.args } }));
        return out;
      }
      case 'tool': {
        const out: Obj = { role: 'tool', content: textOf(m.content) };
        const name = names.get(String(m.tool_call_id));
        if (name !== undefined) out.tool_name = name;
        return out;
      }
      default:
        throw new MappingError(`message role "${String(m.role)}" is not supported for ollama`);
    }
  });
  const out = common(body, model);
  out.messages = messages;
  const tools = toolDefsOf(body);
  if (tools && body.tool_choice !== 'none') {
    out.tools = tools.map((t) => ({ type: 'function', function: t }));
  }
  return out;
}

/**
 * OpenAI chat or text completion → `/api/generate` (`ollama/`). Chat messages become one prompt the way
 * LiteLLM's `ollama_pt` renders them; system messages go to `system`. Tools need `ollama_chat/`.
 */
export function toOllamaGenerate(body: Obj, model: string): Obj {
  refuseN(body, 'ollama');
  const out = common(body, model);
  if (body.prompt !== undefined) {
    out.prompt = Array.isArray(body.prompt) ? body.prompt.join('\n') : String(body.prompt);
    return out;
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    throw new MappingError('tools need the ollama_chat/ prefix (Ollama /api/chat)');
  }
  const system: string[] = [];
  const lines: string[] = [];
  const imgs: string[] = [];
  for (const m of messagesOf(body)) {
    if (m.role === 'system' || m.role === 'developer') {
      system.push(textOf(m.content));
      continue;
    }
    if (m.role !== 'user' && m.role !== 'assistant' && m.role !== 'tool') {
      throw new MappingError(`message role "${String(m.role)}" is not supported for ollama`);
    }
    const { text, images: found } = images(m.content, 'ollama');
    imgs.push(...found);
    const label = m.role === 'user' ? 'User' : m.role === 'assistant' ? 'Assistant' : 'Tool';
    lines.push(`### ${label}:\n${text}\n\n`);
  }
  out.prompt = `${lines.join('')}### Assistant:\n`;
  if (system.length > 0) out.system = system.join('\n\n');
  if (imgs.length > 0) out.images = imgs;
  return out;
}

export function toOllamaEmbed(body: Obj, model: string): Obj {
  embeddingTexts(body, 'ollama'); // refuses token ids; Ollama takes a string or a list as it is
  const out: Obj = { model, input: body.input };
  if (typeof body.dimensions === 'number') out.dimensions = body.dimensions;
  return out;
}

/** Ollama says `stop` or `length` (and `load`/`unload` on housekeeping calls, which we never make). */
function finish(doneReason: unknown, hasTools: boolean): FinishReason {
  if (hasTools) return 'tool_calls';
  return doneReason === 'length' ? 'length' : 'stop';
}

function createdOf(res: Obj, now: number): number {
  const t = typeof res.created_at === 'string' ? Date.parse(res.created_at) : Number.NaN;
  return Math.floor((Number.isNaN(t) ? now : t) / 1000);
}

function ollamaId(): string {
  return `chatcmpl-${newToolCallId().slice(5)}`;
}

/** `/api/chat` or `/api/generate` answer → `chat.completion`; undefined when neither message nor response. */
export function fromOllamaChat(res: Obj, now: number = Date.now()): { body: Obj; usage: Usage } | undefined {
  const message = res.message as Obj | undefined;
  if (!message && typeof res.response !== 'string') return undefined;
  const calls = Array.isArray(message?.tool_calls) ? (message.tool_calls as Obj[]) : [];
  const answer: ChatAnswer = {
    id: ollamaId(),
    model: String(res.model ?? ''),
    text: message ? textOf(message.content) : String(res.response),
    // Ollama gives its calls no id: each gets one.
    toolCalls: calls.map((c) => {
      const fn = (c.function ?? {}) as Obj;
      return toolCallOut(undefined, fn.name, fn.arguments);
    }),
    finishReason: finish(res.done_reason, calls.length > 0),
    promptTokens: num(res.prompt_eval_count),
    completionTokens: num(res.eval_count),
    created: createdOf(res, now),
  };
  return chatCompletion(answer, now);
}

/** `/api/generate` answer → `text_completion`. */
export function fromOllamaCompletion(
  res: Obj,
  now: number = Date.now(),
): { body: Obj; usage: Usage } | undefined {
  if (typeof res.response !== 'string') return undefined;
  const promptTokens = num(res.prompt_eval_count);
  const completionTokens = num(res.eval_count);
  const usage = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
  return {
    body: {
      id: `cmpl-${ollamaId().slice(9)}`,
      object: 'text_completion',
      created: createdOf(res, now),
      model: res.model,
      choices: [
        { text: res.response, index: 0, logprobs: null, finish_reason: finish(res.done_reason, false) },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: usage.totalTokens,
      },
    },
    usage,
  };
}

/** `/api/embed` answer → OpenAI embeddings list. */
export function fromOllamaEmbed(res: Obj): { body: Obj; usage: Usage } | undefined {
  if (!Array.isArray(res.embeddings)) return undefined;
  return embeddingList(res.embeddings as unknown[], res.model, num(res.prompt_eval_count));
}
