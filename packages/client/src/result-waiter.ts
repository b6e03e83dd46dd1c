// One QueueEvents listener per process resolving a map of pending job ids (not waitUntilFinished, see DESIGN.md),
// with a periodic state poll as the safety net for events lost from the trimmed stream.
import { type Queue, QueueEvents, type QueueEventsOptions } from 'bullmq';
import { CompletionError, WaitTimeoutError } from './errors.ts';

const POLL_BATCH = 50;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  since: number;
  timer: NodeJS.Timeout;
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

  /** Register before the job is added so an instant result cannot be missed. */
  wait(jobId: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.#check(jobId).then((done) => {
          if (!done) this.#settle(jobId, { error: new WaitTimeoutError(jobId, timeoutMs) });
        });
      }, timeoutMs);
      this.#pending.set(jobId, { resolve, reject, since: Date.now(), timer });
      this.#poller ??= setInterval(() => void this.#pollStale(), this.#pollMs);
    });
  }

  cancel(jobId: string, err: Error): void {
    this.#settle(jobId, { error: err });
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
    clearTimeout(p.timer);
    if (this.#pending.size === 0 && this.#poller) {
      clearInterval(this.#poller);
      this.#poller = undefined;
    }
    if (outcome.error) p.reject(outcome.error);
    else if (outcome.reason !== undefined) p.reject(new CompletionError(jobId, outcome.reason));
    else p.resolve(outcome.value);
  }

  /** Settle from the job's stored state; true when it was finished. */
  async #check(jobId: string): Promise<boolean> {
    const job = await this.#queue.getJob(jobId).catch(() => undefined);
    if (!job) return false;
    if (job.finishedOn && job.failedReason !== undefined && (await job.isFailed())) {
      this.#settle(jobId, { reason: job.failedReason });
      return true;
    }
    if (job.finishedOn && (await job.isCompleted())) {
      this.#settle(jobId, { value: job.returnvalue });
      return true;
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
