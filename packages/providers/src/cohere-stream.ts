// Cohere v2 chat stream events (SSE `data:` objects with a `type`) → OpenAI chat chunks.
import { type ChunkMeta, chatChunk, type Obj } from './chat-parts.ts';
import { cohereFinish, cohereUsage } from './cohere-mapping.ts';

function deltaMessage(event: Obj): Obj {
  return ((event.delta as Obj | undefined)?.message ?? {}) as Obj;
}

/**
 * A mapper for one stream. Cohere numbers tool calls itself (`index`), so there is no state beyond whether
 * a tool was called (OpenAI says `tool_calls` as the finish reason then).
 */
export function createCohereStreamMapper(meta: ChunkMeta): (event: Obj) => Obj[] {
  let calledTool = false;
  return (event) => {
    switch (event.type) {
      case 'message-start':
        return [chatChunk(meta, { role: 'assistant', content: '' })];
      case 'content-delta': {
        const text = (deltaMessage(event).content as Obj | undefined)?.text;
        return typeof text === 'string' && text !== '' ? [chatChunk(meta, { content: text })] : [];
      }
      case 'tool-call-start': {
        calledTool = true;
        const call = (deltaMessage(event).tool_calls ?? {}) as Obj;
        const fn = (call.function ?? {}) as Obj;
        return [
          chatChunk(meta, {
            tool_calls: [
              {
                index: Number(event.index ?? 0),
                id: String(call.id ?? ''),
                type: 'function',
                function: { name: String(fn.name ?? ''), arguments: String(fn.arguments ?? '') },
              },
            ],
          }),
        ];
      }
      case 'tool-call-delta': {
        const args = (((deltaMessage(event).tool_calls ?? {}) as Obj).function as Obj | undefined)?.arguments;
        if (typeof args !== 'string' || args === '') return [];
        return [
          chatChunk(meta, {
            tool_calls: [{ index: Number(event.index ?? 0), function: { arguments: args } }],
          }),
        ];
      }
      case 'message-end': {
        const delta = (event.delta ?? {}) as Obj;
        const finish = cohereFinish(delta.finish_reason);
        return [
          chatChunk(
            meta,
            {},
            calledTool && finish === 'stop' ? 'tool_calls' : finish,
            cohereUsage(delta.usage),
          ),
        ];
      }
      default:
        // content-start / content-end / tool-plan-delta / tool-call-end / citation-*: nothing OpenAI shows.
        return [];
    }
  };
}
