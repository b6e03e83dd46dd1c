// Folds OpenAI chunks back into the whole response (`chat.completion` or `text_completion`) with usage,
// so a streamed job's returnvalue, cache entry and tpm correction are what a plain call would give.
import type { Endpoint } from '@switchyard/core';
import type { Chunk, Usage } from './adapter.ts';
import { openAIUsage } from './openai-usage.ts';

type Obj = Record<string, unknown>;

interface ToolCallParts {
  id?: unknown;
  type?: unknown;
  name: string;
  arguments: string;
}

interface ChoiceParts {
  role?: unknown;
  content: string;
  sawContent: boolean;
  refusal?: string;
  toolCalls: Map<number, ToolCallParts>;
  finishReason: unknown;
  logprobs?: unknown;
}

export class StreamAssembler {
  readonly #endpoint: Endpoint;
  readonly #choices = new Map<number, ChoiceParts>();
  #head: Obj = {};
  #usage: Obj | undefined;
  /** Content chunks seen (role-only and usage-only chunks are not content). */
  contentChunks = 0;

  constructor(endpoint: Endpoint) {
    this.#endpoint = endpoint;
  }

  add(chunk: Chunk): void {
    if (this.#head.id === undefined) {
      const { id, created, model, system_fingerprint } = chunk;
      this.#head = { id, created, model, ...(system_fingerprint ? { system_fingerprint } : {}) };
    }
    if (chunk.usage && typeof chunk.usage === 'object') this.#usage = chunk.usage as Obj;
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as Obj[]) : [];
    let content = false;
    for (const c of choices) {
      const index = typeof c.index === 'number' ? c.index : 0;
      let parts = this.#choices.get(index);
      if (!parts) {
        parts = { content: '', sawContent: false, toolCalls: new Map(), finishReason: null };
        this.#choices.set(index, parts);
      }
      if (c.finish_reason !== null && c.finish_reason !== undefined) parts.finishReason = c.finish_reason;
      if (typeof c.text === 'string') {
        parts.content += c.text;
        if (c.text !== '') content = true;
      }
      const delta = (c.delta ?? {}) as Obj;
      if (delta.role !== undefined) parts.role = delta.role;
      if (typeof delta.content === 'string') {
        parts.content += delta.content;
        parts.sawContent = true;
        if (delta.content !== '') content = true;
      }
      if (typeof delta.refusal === 'string') parts.refusal = (parts.refusal ?? '') + delta.refusal;
      if (Array.isArray(delta.tool_calls)) {
        content = true;
        for (const t of delta.tool_calls as Obj[]) {
          const i = typeof t.index === 'number' ? t.index : 0;
          const fn = (t.function ?? {}) as Obj;
          const call = parts.toolCalls.get(i) ?? { name: '', arguments: '' };
          if (t.id !== undefined) call.id = t.id;
          if (t.type !== undefined) call.type = t.type;
          if (typeof fn.name === 'string') call.name += fn.name;
          if (typeof fn.arguments === 'string') call.arguments += fn.arguments;
          parts.toolCalls.set(i, call);
        }
      }
    }
    if (content) this.contentChunks++;
  }

  /** The whole response; usage is estimated (≈ 4 characters a token) when the provider sent none. */
  result(promptTokensEstimate: number): { body: Obj; usage: Usage } {
    const indexes = [...this.#choices.keys()].sort((a, b) => a - b);
    const chat = this.#endpoint === 'chat.completions';
    const choices = indexes.map((index) => {
      const p = this.#choices.get(index)!;
      if (!chat) return { text: p.content, index, logprobs: null, finish_reason: p.finishReason ?? 'stop' };
      const message: Obj = {
        role: p.role ?? 'assistant',
        content: p.content === '' && p.toolCalls.size > 0 ? null : p.content,
      };
      if (p.refusal !== undefined) message.refusal = p.refusal;
      if (p.toolCalls.size > 0) {
        message.tool_calls = [...p.toolCalls.entries()]
          .sort(([a], [b]) => a - b)
          .map(([, t]) => ({
            id: t.id,
            type: t.type ?? 'function',
            function: { name: t.name, arguments: t.arguments },
          }));
      }
      return { index, message, logprobs: null, finish_reason: p.finishReason ?? 'stop' };
    });
    const usage = this.#usage ? openAIUsage(this.#usage) : this.#estimate(promptTokensEstimate);
    const body: Obj = {
      ...this.#head,
      object: chat ? 'chat.completion' : 'text_completion',
      choices,
      usage: {
        prompt_tokens: usage.promptTokens,
        completion_tokens: usage.completionTokens,
        total_tokens: usage.totalTokens,
      },
    };
    return { body, usage };
  }

  #estimate(promptTokens: number): Usage {
    let chars = 0;
    for (const p of this.#choices.values()) {
      chars += p.content.length;
      for (const t of p.toolCalls.values()) chars += t.name.length + t.arguments.length;
    }
    const completionTokens = Math.ceil(chars / 4);
    return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
  }
}
