// Writes one job's events to its Redis Stream (contract: core/contract/stream.ts). Writes batch by
// themselves: what is queued in one tick goes out together (the `start` event with the chunks held
// before it: one round trip to the first chunk), and whatever arrives while a write is in flight goes
// in the next round trip, consecutive chunks in one entry — so Redis commands per chunk fall as the
// chunk rate rises and never exceed one.
import { encodeStreamEvent, type StreamChunk, type StreamEvent, SwitchyardError } from '@switchyard/core';
import type { RedisClient } from '@switchyard/redis-state';

export interface StreamWriterOptions {
  key: string;
  /** XADD MAXLEN: exact, so the cap is what the config says (entries are batches: few per answer). */
  maxEntries: number;
  /** Expiry while the answer is being written (covers a worker that dies mid-stream). */
  liveTtlMs: number;
  /** Expiry once the answer is complete: the job's result TTL. */
  finalTtlMs: number;
}

export class StreamWriter {
  readonly #redis: RedisClient;
  readonly #opts: StreamWriterOptions;
  #pending: StreamEvent[] = [];
  #writing: Promise<void> | undefined;
  #error: SwitchyardError | undefined;
  #ttlSetMs: number | undefined;
  /** Chunks handed to `push` so far. */
  pushed = 0;
  /** Redis commands sent (XADD and PEXPIRE): the benchmark's per-chunk cost. */
  commands = 0;
  /** Round trips to Redis: the consumer waits one per write for what it holds. */
  roundTrips = 0;

  constructor(redis: RedisClient, opts: StreamWriterOptions) {
    this.#redis = redis;
    this.#opts = opts;
  }

  /** Queues a chunk; throws once an earlier write failed (the stream would otherwise skip chunks). */
  push(chunk: StreamChunk): void {
    if (this.#error) throw this.#error;
    this.pushed++;
    const last = this.#pending.at(-1);
    if (last?.type === 'chunks') last.chunks.push(chunk);
    else this.#pending.push({ type: 'chunks', chunks: [chunk] });
    this.#writing ??= this.#drainSoon();
  }

  /** Queues a non-chunk event (start, restart) in order with the chunks. */
  event(event: StreamEvent): void {
    if (this.#error) throw this.#error;
    this.#pending.push(event);
    this.#writing ??= this.#drainSoon();
  }

  /** Resolves once everything queued is in Redis; rejects with the write failure, if any. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    if (this.#error) throw this.#error;
  }

  /** Flushes, then appends the terminal event and sets the final expiry. */
  async end(event: StreamEvent): Promise<void> {
    await this.flush().catch(() => {});
    this.#pending.push(event);
    await this.#write(this.#opts.finalTtlMs);
  }

  /** Starts the drain after the current tick's synchronous pushes, so they share its first write. */
  async #drainSoon(): Promise<void> {
    await undefined;
    return this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0 && !this.#error) {
        await this.#write(this.#ttlSetMs === undefined ? this.#opts.liveTtlMs : undefined);
      }
    } catch (err) {
      this.#error = new SwitchyardError(
        'APIConnectionError',
        `could not write the answer's stream to Redis: ${(err as Error).message}`,
      );
    } finally {
      this.#writing = undefined;
    }
  }

  /** One round trip: every queued event, plus the expiry when asked. */
  async #write(ttlMs: number | undefined): Promise<void> {
    const events = this.#pending;
    this.#pending = [];
    this.roundTrips++;
    const { key, maxEntries } = this.#opts;
    if (events.length === 1 && ttlMs === undefined) {
      this.commands++;
      await this.#redis.xadd(key, 'MAXLEN', maxEntries, '*', ...encodeStreamEvent(events[0]!));
      return;
    }
    // Several entries go in MULTI: Redis wakes a blocked XREAD after EXEC, so the reader gets them together
    // (in a plain pipeline it would wake on the first XADD and come back for the rest).
    const batch = events.length > 1 ? this.#redis.multi() : this.#redis.pipeline();
    for (const e of events) batch.xadd(key, 'MAXLEN', maxEntries, '*', ...encodeStreamEvent(e));
    if (ttlMs !== undefined) batch.pexpire(key, ttlMs);
    this.commands += events.length + (ttlMs === undefined ? 0 : 1);
    const results = await batch.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
    if (ttlMs !== undefined) this.#ttlSetMs = ttlMs;
  }
}
