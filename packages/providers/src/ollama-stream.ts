// Ollama's streamed NDJSON lines (/api/chat or /api/generate with `stream: true`) → OpenAI chat chunks.
import { type ChunkMeta, chatChunk, newToolCallId, type Obj } from './chat-parts.ts';
import { num } from './json-body.ts';

/**
 * A mapper for one stream. Each line is self-contained; the only state is the next tool-call index.
 * The first chunk carries the role; the `done` line carries finish reason and usage.
 */
export function createOllamaStreamMapper(meta: ChunkMeta): (line: Obj) => Obj[] {
  let started = false;
  let toolIndex = 0;
  return (line) => {
    const out: Obj[] = [];
    if (!started) {
      started = true;
      out.push(chatChunk(meta, { role: 'assistant', content: '' }));
    }
    const message = line.message as Obj | undefined;
    const text = message ? message.content : line.response;
    if (typeof text === 'string' && text !== '') out.push(chatChunk(meta, { content: text }));
    const calls = Array.isArray(message?.tool_calls) ? (message.tool_calls as Obj[]) : [];
    if (calls.length > 0) {
      out.push(
        chatChunk(meta, {
          tool_calls: calls.map((c) => {
            const fn = (c.function ?? {}) as Obj;
            return {
              index: toolIndex++,
              id: newToolCallId(),
              type: 'function',
              function: { name: String(fn.name ?? ''), arguments: JSON.stringify(fn.arguments ?? {}) },
            };
          }),
        }),
      );
    }
    if (line.done === true) {
      const finish = toolIndex > 0 ? 'tool_calls' : line.done_reason === 'length' ? 'length' : 'stop';
      out.push(
        chatChunk(meta, {}, finish, {
          promptTokens: num(line.prompt_eval_count),
          completionTokens: num(line.eval_count),
        }),
      );
    }
    return out;
  };
}
