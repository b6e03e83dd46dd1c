// The streaming variant of the attempt's provider call: chunks go to the job's Redis Stream as they
// arrive, the assembled answer is returned like any other ProviderResponse. Chunks before the first
// content (the role chunk) are held back, so an attempt that fails before content leaves no trace and
// its retry or fallback is unseen by the consumer.
import { estimateTokens } from '@switchyard/core';
import { type Chunk, StreamAssembler } from '@switchyard/providers';
import type { StreamWriter } from '../stream-writer.ts';
import type { Invoke, OpenStream } from './context.ts';

export function streamingInvoke(open: OpenStream, writer: StreamWriter, includeUsage: boolean): Invoke {
  return async (req) => {
    const started = performance.now();
    const stream = await open(req);
    const assembler = new StreamAssembler(req.endpoint);
    let held: Chunk[] | undefined = [];
    let firstChunkMs: number | undefined;
    const release = () => {
      firstChunkMs = Math.round(performance.now() - started);
      const { modelGroup, id, provider } = req.deployment;
      writer.event({ type: 'start', modelGroup, deploymentId: id, provider });
      for (const c of held ?? []) writer.push(c);
      held = undefined;
    };
    for await (const raw of stream) {
      assembler.add(raw);
      const chunk = forConsumer(raw, includeUsage);
      if (!chunk) continue;
      if (held) {
        held.push(chunk);
        if (assembler.contentChunks > 0) release();
      } else writer.push(chunk);
    }
    if (held) release(); // an answer without content (empty text) is still an answer
    await writer.flush();
    const promptTokens = estimateTokens(req.endpoint, {
      ...req.body,
      max_tokens: 0,
      max_completion_tokens: 0,
    });
    const { body, usage } = assembler.result(promptTokens);
    return { body, usage, headers: stream.headers, timeToFirstChunkMs: firstChunkMs };
  };
}

/**
 * The chunk as the caller asked for it: usage is always requested from the provider (tpm needs it), so
 * the usage chunk and the `usage: null` fields go only to callers that set stream_options.include_usage.
 */
function forConsumer(chunk: Chunk, includeUsage: boolean): Chunk | undefined {
  if (includeUsage || !('usage' in chunk)) return chunk;
  if (Array.isArray(chunk.choices) && chunk.choices.length === 0) return undefined;
  const { usage: _usage, ...rest } = chunk;
  return rest;
}
