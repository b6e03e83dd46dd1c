// The per-job Redis Stream of a `stream: true` job, declared once for the worker (writer), the client
// SDK and the gateway (readers), and any XREAD consumer in another language:
//
//   key      <queue prefix>:<queue name>:sy:stream:<job id>      e.g. bull:switchyard:sy:stream:42
//   entry    two fields, `type` and `data` (JSON):
//     start    data = {modelGroup, deploymentId, provider}   who answers; just before the first chunks
//     chunks   data = [chunk, …]   one or more OpenAI chunks in order (writes are batched)
//     done     data = {routing, usage}   the answer is complete; the job's returnvalue holds it whole
//     error    data = {error: {type, message, status}}   the job failed (taxonomy type)
//     restart  data = {reason}   a worker died mid-answer; what follows is a complete second answer
//   capped   XADD MAXLEN (switchyard_settings.stream_max_entries), expires with the job's result;
//            an answer always begins with `start` (or `restart`), so a reader sees when its head was trimmed.
import type { Endpoint } from './job-names.ts';
import type { RoutedResult, RoutingInfo } from './result.ts';

/** Entries kept per stream; each entry holds a batch of chunks. */
export const DEFAULT_STREAM_MAX_ENTRIES = 10_000;

export type StreamChunk = Record<string, unknown>;

/** Who is answering, known before the first chunk (the gateway's routing headers). */
export interface StreamServing {
  modelGroup: string;
  deploymentId: string;
  provider: string;
}

export type StreamEvent =
  | ({ type: 'start' } & StreamServing)
  | { type: 'chunks'; chunks: StreamChunk[] }
  | { type: 'done'; routing: RoutingInfo; usage?: Record<string, unknown> }
  | { type: 'error'; error: { type: string; message: string; status?: number } }
  | { type: 'restart'; reason: string };

export function streamKey(namespace: string, jobId: string): string {
  return `${namespace}:stream:${jobId}`;
}

/** The two fields of an entry, as XADD takes them. */
export function encodeStreamEvent(event: StreamEvent): [string, string, string, string] {
  const { type, ...rest } = event;
  const data = event.type === 'chunks' ? event.chunks : rest;
  return ['type', type, 'data', JSON.stringify(data)];
}

/** An entry's field list back into an event; undefined for an entry this version does not know. */
export function decodeStreamEvent(fields: readonly string[]): StreamEvent | undefined {
  let type: string | undefined;
  let data: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'type') type = fields[i + 1];
    else if (fields[i] === 'data') data = fields[i + 1];
  }
  if (type === undefined || data === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (type === 'chunks') return Array.isArray(parsed) ? { type, chunks: parsed as StreamChunk[] } : undefined;
  if (type === 'start' || type === 'done' || type === 'error' || type === 'restart')
    return { type, ...(parsed as object) } as StreamEvent;
  return undefined;
}

/**
 * A chunk's id for resuming: `<entry id>` when the entry holds one chunk, else `<entry id>/<index>`.
 * Reading after it skips that chunk and everything before.
 */
export function chunkId(entryId: string, index: number, count: number): string {
  return count === 1 ? entryId : `${entryId}/${index}`;
}

export function parseChunkId(id: string): { entryId: string; index?: number } | undefined {
  const m = /^(\d+-\d+)(?:\/(\d+))?$/.exec(id);
  if (!m) return undefined;
  return m[2] === undefined ? { entryId: m[1]! } : { entryId: m[1]!, index: Number(m[2]) };
}

/**
 * A finished answer as the chunks a stream of it would have carried (a cached answer replayed, a mock):
 * a role chunk, one content chunk per choice, the finish chunk, and the usage chunk when asked for.
 */
export function chunksFromResult(
  endpoint: Endpoint,
  result: Record<string, unknown>,
  includeUsage: boolean,
): StreamChunk[] {
  const { routing: _routing, usage, choices, object: _object, ...head } = result as RoutedResult;
  const list = Array.isArray(choices) ? (choices as Record<string, unknown>[]) : [];
  const chat = endpoint === 'chat.completions';
  const object = chat ? 'chat.completion.chunk' : 'text_completion';
  const chunk = (choice: Record<string, unknown>) => ({ ...head, object, choices: [choice] });
  const out: StreamChunk[] = [];
  for (const [i, c] of list.entries()) {
    const index = typeof c.index === 'number' ? c.index : i;
    const finish = c.finish_reason ?? 'stop';
    if (!chat) {
      out.push(chunk({ text: c.text ?? '', index, logprobs: null, finish_reason: null }));
      out.push(chunk({ text: '', index, logprobs: null, finish_reason: finish }));
      continue;
    }
    const message = (c.message ?? {}) as Record<string, unknown>;
    out.push(
      chunk({ index, delta: { role: message.role ?? 'assistant', content: '' }, finish_reason: null }),
    );
    const delta: Record<string, unknown> = {};
    if (typeof message.content === 'string' && message.content !== '') delta.content = message.content;
    if (Array.isArray(message.tool_calls)) {
      delta.tool_calls = (message.tool_calls as Record<string, unknown>[]).map((t, ti) => ({
        index: ti,
        ...t,
      }));
    }
    if (Object.keys(delta).length > 0) out.push(chunk({ index, delta, finish_reason: null }));
    out.push(chunk({ index, delta: {}, finish_reason: finish }));
  }
  if (includeUsage && usage) out.push({ ...head, object, choices: [], usage });
  return out;
}

/** Whether a request body asks for a stream (`stream: true`) and for the usage chunk. */
export function streamRequest(body: unknown): { stream: boolean; includeUsage: boolean } {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const options = (b.stream_options ?? {}) as Record<string, unknown>;
  return { stream: b.stream === true, includeUsage: b.stream === true && options.include_usage === true };
}
