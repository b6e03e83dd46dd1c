// Guards against a worker that silently stops fetching (a BullMQ blocking connection that did not come
// back after a Redis outage, seen rarely under load): jobs wait, this worker has free slots, yet it has
// started nothing for a long time. The check is pure; the worker process decides what to do (exit so a
// supervisor restarts it — its jobs are safe in Redis).
import type { Job, Queue, Worker } from 'bullmq';

export interface FetchState {
  nowMs: number;
  /** Last time this worker started a job, or became idle on an empty queue. */
  lastActivityMs: number;
  /** Jobs this worker is running now, and how many it may run. */
  running: number;
  concurrency: number;
  /** Jobs waiting in the queue (ready to run). */
  waiting: number;
  stallMs: number;
}

export interface FetchVerdict {
  /** Since when jobs have waited while this worker had free slots and started nothing. */
  suspectSinceMs?: number;
  stalled: boolean;
}

/** One check: a stall is jobs waiting, free slots and no start for `stallMs` in a row (not one glance). */
export function judgeFetch(previous: FetchVerdict, s: FetchState): FetchVerdict {
  if (s.waiting === 0 || s.running >= s.concurrency) return { stalled: false };
  // A start after the suspicion began clears it.
  const since = Math.max(previous.suspectSinceMs ?? s.nowMs, s.lastActivityMs);
  return { suspectSinceMs: since, stalled: s.nowMs - since >= s.stallMs };
}

type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

export interface WatchdogOptions {
  queue: Queue;
  concurrency: number;
  stallMs: number;
  onStall: (waiting: number) => void;
}

export interface FetchWatchdog {
  /** Wrap the processor so the watchdog sees every job start and end (delays and failures included). */
  track(processor: Processor): Processor;
  /** Start checking once the worker runs; `isClosing` pauses judgement during shutdown. */
  start(worker: Worker): void;
  stop(): void;
  /** Jobs running now, and whether the last check judged fetching stalled (health endpoint). */
  status(): { running: number; stalled: boolean };
}

export function createFetchWatchdog(opts: WatchdogOptions): FetchWatchdog {
  let lastActivityMs = Date.now();
  let running = 0;
  let timer: NodeJS.Timeout | undefined;
  let checking = false;
  let verdict: FetchVerdict = { stalled: false };
  return {
    track: (processor) => async (job, token, signal) => {
      running++;
      lastActivityMs = Date.now();
      try {
        return await processor(job, token, signal);
      } finally {
        running--;
      }
    },
    start(worker) {
      // An empty queue is a reason to be idle.
      worker.on('drained', () => {
        lastActivityMs = Date.now();
      });
      timer = setInterval(
        () => {
          if (checking || worker.closing) return;
          checking = true;
          opts.queue
            .getWaitingCount()
            .then((waiting) => {
              const state = { nowMs: Date.now(), lastActivityMs, running, waiting, ...opts };
              verdict = judgeFetch(verdict, state);
              if (verdict.stalled) opts.onStall(waiting);
            })
            .catch(() => {}) // Redis away: nothing can be judged; the next tick tries again.
            .finally(() => {
              checking = false;
            });
        },
        Math.max(1_000, opts.stallMs / 4),
      );
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
    status: () => ({ running, stalled: verdict.stalled }),
  };
}
