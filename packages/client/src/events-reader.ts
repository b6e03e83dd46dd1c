// Reads the job-outcome event stream (key and fields declared in core's contract) as an async iterator:
// plain XREAD from a position, or XREADGROUP as a consumer group member that acknowledges what it yielded.
import { type OutcomeEvent, parseEventEntry } from '@switchyard/core';
import type { RedisClient } from '@switchyard/redis-state';

export interface EventsOptions {
  /** `$` (events from now on; the default), `0` (everything the stream still holds), or an entry id. */
  from?: string;
  /**
   * Read as a member of this consumer group (created at `from` when missing). Each entry is acknowledged once
   * the loop body that received it finishes: on asking for the next one, or on leaving the loop.
   */
  group?: string;
  /** The consumer's name within the group. @defaultValue a random one */
  consumer?: string;
  /** How long one blocking read waits before asking again. @defaultValue 5000 */
  blockMs?: number;
  /** Ends the iteration. */
  signal?: AbortSignal;
}

type Entry = [id: string, fields: string[]];

/** Takes a connection of its own (blocking reads) and disconnects it when the iteration ends. */
export async function* readEvents(
  redis: RedisClient,
  key: string,
  opts: EventsOptions = {},
): AsyncGenerator<OutcomeEvent> {
  const { signal } = opts;
  const stop = () => redis.disconnect();
  signal?.addEventListener('abort', stop, { once: true });
  const block = opts.blockMs ?? 5_000;
  // The entry whose loop body is running: acknowledged when the body asks for the next one or leaves the loop.
  let unacked: string | undefined;
  try {
    let position = opts.from ?? '$';
    const consumer = opts.consumer ?? `reader-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    if (opts.group) {
      await redis.xgroup('CREATE', key, opts.group, position, 'MKSTREAM').catch((err: Error) => {
        if (!err.message.includes('BUSYGROUP')) throw err;
      });
    }
    while (!signal?.aborted) {
      const reply = (
        opts.group
          ? await redis.xreadgroup(
              'GROUP',
              opts.group,
              consumer,
              'COUNT',
              100,
              'BLOCK',
              block,
              'STREAMS',
              key,
              '>',
            )
          : await redis.xread('COUNT', 100, 'BLOCK', block, 'STREAMS', key, position)
      ) as [string, Entry[]][] | null;
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          position = id;
          const event = parseEventEntry(id, fields);
          if (opts.group) unacked = id;
          if (event) yield event;
          if (opts.group) await redis.xack(key, opts.group, id);
          unacked = undefined;
        }
      }
    }
  } catch (err) {
    // An abort disconnects the connection mid-read: that is the end, not an error.
    if (!signal?.aborted) throw err;
  } finally {
    signal?.removeEventListener('abort', stop);
    if (unacked && opts.group && !signal?.aborted) await redis.xack(key, opts.group, unacked).catch(() => {});
    redis.disconnect();
  }
}
