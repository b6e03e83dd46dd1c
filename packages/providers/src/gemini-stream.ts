// Gemini / Vertex `streamGenerateContent?alt=sse` events (each a partial GenerateContentResponse) → OpenAI chunks.
import { type ChunkMeta, chatChunk, newToolCallId, type Obj } from './chat-parts.ts';
import { geminiFinish, geminiUsage } from './gemini-mapping.ts';

/**
 * A mapper for one stream. Gemini repeats cumulative `usageMetadata` on many events; it is reported once, on
 * the chunk that carries the finish reason. The state is the next tool-call index.
 */
export function createGeminiStreamMapper(meta: ChunkMeta): (event: Obj) => Obj[] {
  let started = false;
  let toolIndex = 0;
  return (event) => {
    const out: Obj[] = [];
    if (!started) {
      started = true;
      out.push(chatChunk(meta, { role: 'assistant', content: '' }));
    }
    const cand = (Array.isArray(event.candidates) ? event.candidates[0] : undefined) as Obj | undefined;
    const content = (cand?.content ?? {}) as Obj;
    const parts = Array.isArray(content.parts) ? (content.parts as Obj[]) : [];
    const text = parts
      .filter((p) => typeof p.text === 'string' && p.thought !== true)
      .map((p) => String(p.text))
      .join('');
    if (text !== '') out.push(chatChunk(meta, { content: text }));
    const calls = parts.filter((p) => p.functionCall && typeof p.functionCall === 'object');
    if (calls.length > 0) {
      out.push(
        chatChunk(meta, {
          tool_calls: calls.map((p) => {
            const fc = p.functionCall as Obj;
            return {
              index: toolIndex++,
              id: typeof fc.id === 'string' ? fc.id : newToolCallId(),
              type: 'function',
              function: { name: String(fc.name ?? ''), arguments: JSON.stringify(fc.args ?? {}) },
            };
          }),
        }),
      );
    }
    const blocked = typeof (event.promptFeedback as Obj | undefined)?.blockReason === 'string';
    if (cand?.finishReason !== undefined || blocked) {
      const finish = blocked ? 'content_filter' : geminiFinish(cand?.finishReason);
      out.push(
        chatChunk(
          meta,
          {},
          toolIndex > 0 && finish === 'stop' ? 'tool_calls' : finish,
          geminiUsage(event.usageMetadata),
        ),
      );
    }
    return out;
  };
}
