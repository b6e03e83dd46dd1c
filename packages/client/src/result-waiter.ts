// One QueueEvents listener per process resolving a map of pending job ids (not waitUntilFinished, see DESIGN.md),
// with a periodic state poll as the safety net for events lost from the trimmed stream.
import { type Queue, QueueEvents, type QueueEventsOptions } from 'bullmq';
import { CompletionError, WaitTimeoutError } from './errors.ts';

const POLL_BATCH = 50;

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
  readonly #events: QueueEvents;
  readonly #queue: Queue;
  readonly #pending = new Map<string, Pending>();
  readonly #pollMs: number;
  #poller: NodeJS.Timeout | undefined;
  #polling = false;

  constructor(queue: Queue, opts: QueueEventsOptions, pollMs = 5_000) {
    this.#queue = queue;
    this.#pollMs = pollMs;
    this.#events = new QueueEvents(queue.name, opts);
    this.#events.on('completed', ({ jobId, returnvalue }) => this.#settle(jobId, { value: returnvalue }));
    this.#events.on('failed', ({ jobId, failedReason }) => this.#settle(jobId, { reason: failedReason }));
    this.#events.on('error', () => {
      // Connection errors are retried by ioredis; the poll below covers anything missed meanwhile.
    });
  }

  ready(): Promise<void> {
    return this.#events.waitUntilReady().then(() => undefined);
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
    });
  }

  /** Waits currently registered (every caller of every job id). */
  get size(): number {
    let n = 0;
    for (const p of this.#pending.values()) n += p.waiters.length;
    return n;
  }

  cancel(jobId: string, err: Error): void {
    this.#settle(jobId, { error: err });
  }

  /** Settles every wait on a job from its stored outcome (read by the caller). */
  deliver(jobId: string, outcome: { value: unknown } | { reason: string }): void {
    this.#settle(jobId, outcome);
  }

  async close(): Promise<void> {
    if (this.#poller) clearInterval(this.#poller);
    for (const id of [...this.#pending.keys()]) this.#settle(id, { error: new Error('client closed') });
    await this.#events.close();
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
    if (this.#pending.size === 0 && this.#poller) {
      clearInterval(this.#poller);
      this.#poller = undefined;
    }
  }

  /** Settle from the job's stored state; true when it was finished. Never rejects: Redis may be away. */
  async #check(jobId: string): Promise<boolean> {
    try {
      const job = await this.#queue.getJob(jobId);
      if (!job) return false;
      if (job.finishedOn && job.failedReason !== undefined && (await job.isFailed())) {
        this.#settle(jobId, { reason: job.failedReason });
        return true;
      }
      if (job.finishedOn && (await job.isCompleted())) {
        this.#settle(jobId, { value: job.returnvalue });
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
