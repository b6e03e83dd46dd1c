// Reads a job's Redis Stream (contract: core/contract/stream.ts) from the start or after a chunk id,
// blocking on XREAD with a connection of its own. When nothing arrives for a while it asks the job
// itself, so a job that failed before writing anything, or whose stream expired, still ends the read.
import {
  CodedError,
  chunkId,
  chunksFromResult,
  decodeStreamEvent,
  type Endpoint,
  ERROR_CODES,
  parseChunkId,
  type RoutedResult,
  type StreamChunk,
  type StreamServing,
} from '@switchyard/core';
import type { RedisClient } from '@switchyard/redis-state';
import { CompletionError } from './errors.ts';

/** The stream says a worker died mid-answer; resume after `markerId` to read the complete second answer. */
export class StreamRestartError extends CodedError {
  readonly jobId: string;
  readonly markerId: string;
  constructor(jobId: string, markerId: string, reason: string) {
    super(
      ERROR_CODES.streamRestarted,
      `job ${jobId}: ${reason}; resume after ${markerId} for the complete answer`,
    );
    this.name = 'StreamRestartError';
    this.jobId = jobId;
    this.markerId = markerId;
  }
}

/** The stream's head was trimmed (`stream_max_entries`): reading it from the start would skip chunks. */
export class StreamTrimmedError extends CodedError {
  constructor(jobId: string) {
    super(
      ERROR_CODES.streamTrimmed,
      `the stream of job ${jobId} was trimmed to its last entries; read the whole answer with result()`,
    );
    this.name = 'StreamTrimmedError';
  }
}

/** The read was stopped by its AbortSignal. */
export class StreamAbortedError extends CodedError {
  constructor(jobId: string) {
    super(ERROR_CODES.streamAborted, `reading the stream of job ${jobId} was aborted`);
    this.name = 'AbortError';
  }
}

/** What a reader learns from the job when its stream is quiet. */
export type JobOutcome =
  | { state: 'running' }
  | { state: 'missing' }
  | { state: 'completed'; value: RoutedResult }
  | { state: 'failed'; reason: string };

export interface StreamSource {
  jobId: string;
  key: string;
  endpoint: Endpoint;
  includeUsage: boolean;
  /** A blocking connection, and its return once the read ends (`broken` after an abort). */
  acquire(): RedisClient;
  release(conn: RedisClient, broken: boolean): void;
  outcome(): Promise<JobOutcome>;
}

export interface StreamReadOptions {
  /** A chunk id (as yielded, or a `Last-Event-ID`): read what follows it. */
  after?: string | undefined;
  signal?: AbortSignal | undefined;
  /** How long one XREAD blocks before the job's state is checked. @defaultValue 1000 */
  blockMs?: number;
  /** How long a job may stay missing (not yet added, or expired) before the read gives up. @defaultValue 10000 */
  missingMs?: number;
}

/** One step of a read: a chunk with its id, or who serves the answer (before its first chunk). */
export type StreamItem =
  | { kind: 'chunk'; id: string; chunk: StreamChunk }
  | ({ kind: 'start' } & StreamServing);

export async function* readStream(
  src: StreamSource,
  opts: StreamReadOptions = {},
): AsyncGenerator<StreamItem, RoutedResult['routing'] | undefined> {
  const blockMs = opts.blockMs ?? 1000;
  const after = opts.after === undefined ? undefined : parseChunkId(opts.after);
  if (opts.after !== undefined && !after)
    throw new CodedError(ERROR_CODES.badChunkId, `"${opts.after}" is not a chunk id of this stream`);
  let cursor = after?.entryId ?? '0-0';
  const conn = src.acquire();
  let broken = false;
  const onAbort = () => {
    broken = true;
    conn.disconnect();
  };
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let missingSince: number | undefined;
  let seen = false;
  try {
    // An entry half read before: its remaining chunks first.
    if (after?.index !== undefined) {
      const [entry] = await conn.xrange(src.key, after.entryId, after.entryId);
      if (entry) {
        const event = decodeStreamEvent(entry[1]);
        if (event?.type === 'chunks') {
          for (const [i, chunk] of event.chunks.entries()) {
            if (i > after.index)
              yield { kind: 'chunk', id: chunkId(entry[0], i, event.chunks.length), chunk };
          }
        }
      }
    }
    for (;;) {
      if (opts.signal?.aborted) throw new StreamAbortedError(src.jobId);
      const res = await conn.xread('COUNT', 500, 'BLOCK', blockMs, 'STREAMS', src.key, cursor);
      const entries = res?.[0]?.[1] ?? [];
      if (entries.length === 0) {
        const outcome = await src.outcome();
        if (outcome.state === 'failed') throw new CompletionError(src.jobId, outcome.reason);
        if (outcome.state === 'completed') {
          // Finished while quiet: one more look, then the stored answer if the stream holds no end.
          const last = await conn.xread('COUNT', 500, 'STREAMS', src.key, cursor);
          if (last?.[0]?.[1]?.length) continue;
          if (!seen) {
            const { modelGroup, deploymentId, provider } = outcome.value.routing;
            yield { kind: 'start', modelGroup, deploymentId, provider };
            for (const [i, chunk] of chunksFromResult(
              src.endpoint,
              outcome.value,
              src.includeUsage,
            ).entries())
              yield { kind: 'chunk', id: `0-0/${i}`, chunk };
          }
          return outcome.value.routing;
        }
        if (outcome.state === 'missing') {
          missingSince ??= Date.now();
          if (Date.now() - missingSince >= (opts.missingMs ?? 10_000))
            throw new CompletionError(
              src.jobId,
              `NotFoundError: no job ${src.jobId} (unknown, or its result has expired)`,
            );
        } else missingSince = undefined;
        continue;
      }
      for (const [id, fields] of entries) {
        cursor = id;
        const event = decodeStreamEvent(fields);
        if (!event) continue;
        // Chunks open with `start` (or `restart`): chunks or the end seen first mean the head is gone.
        if (!seen && !after && (event.type === 'chunks' || event.type === 'done'))
          throw new StreamTrimmedError(src.jobId);
        seen = true;
        switch (event.type) {
          case 'start':
            yield {
              kind: 'start',
              modelGroup: event.modelGroup,
              deploymentId: event.deploymentId,
              provider: event.provider,
            };
            break;
          case 'chunks':
            for (const [i, chunk] of event.chunks.entries())
              yield { kind: 'chunk', id: chunkId(id, i, event.chunks.length), chunk };
            break;
          case 'done':
            return event.routing;
          case 'error':
            throw new CompletionError(src.jobId, `${event.error.type}: ${event.error.message}`);
          case 'restart':
            throw new StreamRestartError(src.jobId, id, event.reason);
        }
      }
    }
  } catch (err) {
    if (broken) throw new StreamAbortedError(src.jobId);
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    src.release(conn, broken);
  }
}
