// Anthropic's streaming events mapped onto OpenAI `chat.completion.chunk`s, one event at a time:
// message_start → the role chunk, text and tool-use blocks → content and tool_calls deltas,
// message_delta → finish_reason, message_stop → the usage chunk and the end. Pure apart from its state.
import type { EventSourceMessage } from 'eventsource-parser';
import type { Chunk } from './adapter.ts';
import { anthropicFinish } from './anthropic-mapping.ts';
import { num } from './json-body.ts';
import type { Decoded } from './stream-exchange.ts';

type Obj = Record<string, unknown>;

/** Thrown for Anthropic's in-stream `error` event; the adapter classifies its body. */
export class AnthropicStreamError extends Error {
  readonly body: Obj;
  constructor(body: Obj) {
    super('anthropic stream error');
    this.body = body;
  }
}

export function createAnthropicChunkMapper(now: () => number = Date.now) {
  let id = '';
  let model = '';
  let created = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  /** Anthropic's content block index → OpenAI tool_calls index. */
  const toolIndex = new Map<number, number>();

  const chunk = (delta: Obj, finish: string | null = null): Chunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });

  const map = (event: EventSourceMessage): Chunk[] | 'end' => {
    let data: Obj;
    try {
      data = JSON.parse(event.data) as Obj;
    } catch {
      throw new AnthropicStreamError({ error: { type: 'api_error', message: 'stream event is not JSON' } });
    }
    switch (data.type ?? event.event) {
      case 'message_start': {
        const msg = (data.message ?? {}) as Obj;
        id = String(msg.id ?? '');
        model = String(msg.model ?? '');
        created = Math.floor(now() / 1000);
        const u = (msg.usage ?? {}) as Obj;
        inputTokens =
          num(u.input_tokens) + num(u.cache_creation_input_tokens) + num(u.cache_read_input_tokens);
        outputTokens = num(u.output_tokens);
        return [chunk({ role: 'assistant', content: '' })];
      }
      case 'content_block_start': {
        const block = (data.content_block ?? {}) as Obj;
        if (block.type !== 'tool_use') return [];
        const index = toolIndex.size;
        toolIndex.set(num(data.index), index);
        return [
          chunk({
            tool_calls: [
              { index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } },
            ],
          }),
        ];
      }
      case 'content_block_delta': {
        const delta = (data.delta ?? {}) as Obj;
        if (delta.type === 'text_delta') return [chunk({ content: String(delta.text ?? '') })];
        if (delta.type === 'input_json_delta') {
          const index = toolIndex.get(num(data.index)) ?? 0;
          return [
            chunk({ tool_calls: [{ index, function: { arguments: String(delta.partial_json ?? '') } }] }),
          ];
        }
        return []; // thinking and signature deltas have no OpenAI chunk form
      }
      case 'message_delta': {
        const delta = (data.delta ?? {}) as Obj;
        const u = (data.usage ?? {}) as Obj;
        if (u.output_tokens !== undefined) outputTokens = num(u.output_tokens);
        if (delta.stop_reason === undefined || delta.stop_reason === null) return [];
        return [chunk({}, anthropicFinish(delta.stop_reason))];
      }
      case 'message_stop':
        return 'end';
      case 'error':
        throw new AnthropicStreamError(data);
      default:
        return []; // ping, content_block_stop
    }
  };

  return (event: EventSourceMessage): Decoded => {
    const out = map(event);
    if (out !== 'end') return { chunks: out };
    // The usage chunk closes the answer, as OpenAI's does with include_usage.
    const usage = {
      prompt_tokens: inputTokens,
      completion_tokens: outputTokens,
      total_tokens: inputTokens + outputTokens,
    };
    return {
      chunks: [{ id, object: 'chat.completion.chunk', created, model, choices: [], usage }],
      end: true,
    };
  };
}
