// One QueueEvents listener per process resolving a map of pending job ids (not waitUntilFinished, see DESIGN.md),
// with a periodic state poll as the safety net for events lost from the trimmed stream. The listener
// survives Redis outages: it resumes from the last event it saw, is replaced when its connection does not
// come back although Redis answers, and every pending job's state is read once after each outage.
import { setTimeout as delay } from 'node:timers/promises';
import { type Queue, QueueEvents, type QueueEventsOptions } from 'bullmq';
import { CompletionError, WaitTimeoutError } from './errors.ts';

const POLL_BATCH = 50;
/** Pending ids whose state one sweep round trip reads (after an outage, every pending id is read). */
const SWEEP_BATCH = 200;
/** How often the listener's connection is looked at while results are awaited. */
const SUPERVISE_MS = 500;
/** A listener whose connection is not ready this long while Redis answers is replaced. */
const RECOVER_MS = 2_000;

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Everyone waiting for one job id: two waits on the same id both settle. */
interface Pending {
  waiters: Waiter[];
  since: number;
}

export class ResultWaiter {
  readonly #queue: Queue;
  readonly #opts: QueueEventsOptions;
  readonly #pending = new Map<string, Pending>();
  readonly #pollMs: number;
  #events: QueueEvents;
  readonly #ready: Promise<unknown>;
  /** The last event read: a replacement listener resumes right after it. */
  #lastEventId: string | undefined;
  #poller: NodeJS.Timeout | undefined;
  #supervisor: NodeJS.Timeout | undefined;
  #polling = false;
  /** Since when the listener's connection has not been ready (undefined while it is). */
  #downSince: number | undefined;
  #sweepNeeded = false;
  #sweeping = false;
  #supervising = false;
  #closed = false;
  #replacements = 0;

  constructor(queue: Queue, opts: QueueEventsOptions, pollMs = 5_000) {
    this.#queue = queue;
    this.#opts = opts;
    this.#pollMs = pollMs;
    this.#events = this.#listen();
    this.#ready = this.#events.waitUntilReady();
  }

  ready(): Promise<void> {
    return this.#ready.then(() => undefined);
  }

  /**
   * Register before the job is added so an instant result cannot be missed. An aborted `signal` drops
   * this wait only (the job keeps running; other waits on it stay).
   */
  wait(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined as unknown as NodeJS.Timeout };
      waiter.timer = setTimeout(() => {
        void this.#check(jobId).then((done) => {
          if (!done) this.#drop(jobId, waiter, new WaitTimeoutError(jobId, timeoutMs));
        });
      }, timeoutMs);
      signal?.addEventListener(
        'abort',
        () =>
          this.#drop(jobId, waiter, signal.reason instanceof Error ? signal.reason : new Error('aborted')),
        { once: true },
      );
      const pending = this.#pending.get(jobId);
      if (pending) pending.waiters.push(waiter);
      else this.#pending.set(jobId, { waiters: [waiter], since: Date.now() });
      this.#poller ??= setInterval(() => void this.#pollStale(), this.#pollMs);
      this.#supervisor ??= setInterval(() => void this.#supervise(), SUPERVISE_MS);
    });
  }

  /** Waits currently registered (every caller of every job id). */
  get size(): number {
    let n = 0;
    for (const p of this.#pending.values()) n += p.waiters.length;
    return n;
  }

  /** How many times the listener was replaced because its connection did not come back. */
  get replacements(): number {
    return this.#replacements;
  }

  cancel(jobId: string, err: Error): void {
    this.#settle(jobId, { error: err });
  }

  /** Settles every wait on a job from its stored outcome (read by the caller). */
  deliver(jobId: string, outcome: { value: unknown } | { reason: string }): void {
    this.#settle(jobId, outcome);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopTimers();
    for (const id of [...this.#pending.keys()]) this.#settle(id, { error: new Error('client closed') });
    await this.#events.close();
  }

  #listen(): QueueEvents {
    const events = new QueueEvents(this.#queue.name, {
      ...this.#opts,
      ...(this.#lastEventId ? { lastEventId: this.#lastEventId } : {}),
    });
    // Only the listener in use settles: a replaced one may still deliver a late read.
    events.on('completed', ({ jobId, returnvalue }, id) => {
      if (events !== this.#events) return;
      this.#lastEventId = id;
      this.#settle(jobId, { value: returnvalue });
    });
    events.on('failed', ({ jobId, failedReason }, id) => {
      if (events !== this.#events) return;
      this.#lastEventId = id;
      this.#settle(jobId, { reason: failedReason });
    });
    events.on('error', () => {
      // Connection errors are retried by ioredis; the supervisor and the polls cover what is missed meanwhile.
    });
    return events;
  }

  /** Watch the listener's connection: after an outage read every pending job's state; replace it if stuck. */
  async #supervise(): Promise<void> {
    if (this.#supervising) return;
    this.#supervising = true;
    try {
      await this.#superviseOnce();
    } finally {
      this.#supervising = false;
    }
  }

  async #superviseOnce(): Promise<void> {
    // The client promises settle once each connection was first set up; one stuck there counts as down.
    const clients = Promise.all([this.#events.getBackend().client, this.#queue.getBackend().client]);
    const [events, queue] =
      (await Promise.race([clients, delay(SUPERVISE_MS, undefined, { ref: false })]).catch(
        () => undefined,
      )) ?? [];
    if (!queue || this.#closed) return;
    const now = Date.now();
    if (events?.status === 'ready') {
      if (this.#downSince !== undefined) this.#sweepNeeded = true;
      this.#downSince = undefined;
    } else {
      this.#downSince ??= now;
      // Redis answers the queue's connection, yet the listener's has not come back: a new listener
      // resumes from the last event seen, so nothing in the stream is skipped.
      if (queue.status === 'ready' && now - this.#downSince >= RECOVER_MS) {
        const old = this.#events;
        this.#events = this.#listen();
        this.#replacements++;
        this.#downSince = undefined;
        this.#sweepNeeded = true;
        void old.close().catch(() => {});
      }
    }
    if (this.#sweepNeeded && queue.status === 'ready') await this.#sweep();
  }

  /** Read every pending job's state (one round trip per SWEEP_BATCH ids); settle the finished ones. */
  async #sweep(): Promise<void> {
    if (this.#sweeping) return;
    this.#sweeping = true;
    this.#sweepNeeded = false;
    try {
      const client = await this.#queue.getBackend().client;
      const ids = [...this.#pending.keys()];
      for (let i = 0; i < ids.length; i += SWEEP_BATCH) {
        const batch = ids.slice(i, i + SWEEP_BATCH);
        // Sent together without waiting for each reply: one round trip on the wire.
        const finishedOn = await Promise.all(
          batch.map((id) => client.hget(this.#queue.toKey(id), 'finishedOn')),
        );
        for (const id of batch.filter((_, j) => finishedOn[j])) await this.#check(id);
      }
    } catch {
      this.#sweepNeeded = true; // Redis went away again: the next supervision tick retries.
    } finally {
      this.#sweeping = false;
    }
  }

  #settle(jobId: string, outcome: { value?: unknown; reason?: string; error?: Error }): void {
    const p = this.#pending.get(jobId);
    if (!p) return;
    this.#pending.delete(jobId);
    this.#stopPollerWhenIdle();
    for (const w of p.waiters) {
      clearTimeout(w.timer);
      if (outcome.error) w.reject(outcome.error);
      else if (outcome.reason !== undefined) w.reject(new CompletionError(jobId, outcome.reason));
      else w.resolve(outcome.value);
    }
  }

  /** One waiter gives up (its own timeout); the others on the same id keep waiting. */
  #drop(jobId: string, waiter: Waiter, err: Error): void {
    const p = this.#pending.get(jobId);
    if (!p?.waiters.includes(waiter)) return;
    clearTimeout(waiter.timer);
    p.waiters = p.waiters.filter((w) => w !== waiter);
    if (p.waiters.length === 0) this.#pending.delete(jobId);
    this.#stopPollerWhenIdle();
    waiter.reject(err);
  }

  #stopPollerWhenIdle(): void {
    if (this.#pending.size === 0) this.#stopTimers();
  }

  #stopTimers(): void {
    if (this.#poller) clearInterval(this.#poller);
    if (this.#supervisor) clearInterval(this.#supervisor);
    this.#poller = undefined;
    this.#supervisor = undefined;
  }

  /** Settle from the job's stored state; true when it was finished. Never rejects: Redis may be away. */
  async #check(jobId: string): Promise<boolean> {
    try {
      // The outcome fields only: the job's data may be a 32 MB upload, read and parsed at every poll otherwise.
      const client = await this.#queue.getBackend().client;
      const [finishedOn, failedReason, returnvalue] = await client.hmget(
        this.#queue.toKey(jobId),
        'finishedOn',
        'failedReason',
        'returnvalue',
      );
      if (!finishedOn) return false;
      const state = await this.#queue.getJobState(jobId);
      if (state === 'failed' && failedReason) {
        this.#settle(jobId, { reason: failedReason });
        return true;
      }
      if (state === 'completed') {
        this.#settle(jobId, { value: storedValue(returnvalue) });
        return true;
      }
    } catch {
      // A Redis hiccup: the next poll or the job's event settles it.
    }
    return false;
  }

  async #pollStale(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      // Bounded work per tick: a 100k-job batch must not turn the safety net into a Redis load.
      const cutoff = Date.now() - this.#pollMs;
      const stale: string[] = [];
      for (const [id, p] of this.#pending) {
        if (p.since < cutoff) stale.push(id);
        if (stale.length >= POLL_BATCH) break;
      }
      for (const id of stale) {
        const p = this.#pending.get(id);
        if (p) p.since = Date.now();
        await this.#check(id);
      }
    } finally {
      this.#polling = false;
    }
  }
}

/** A returnvalue as BullMQ stores it (JSON); undefined when missing or corrupt, as `Job.returnvalue` reads it. */
function storedValue(raw: string | null | undefined): unknown {
  if (raw == null) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
