// Guards against a worker that silently stops fetching (a BullMQ blocking connection that did not come
// back after a Redis outage, seen rarely under load): Redis answers, jobs wait, this worker has free slots,
// yet it has started nothing for a while — or its blocking connection is not `ready` although Redis
// answers. The judgement is pure; the watchdog asks for an in-process recovery (replace the BullMQ
// Worker) after `recoverMs`, again with doubling waits, and reports a stall after `stallMs` (the process
// then exits so a supervisor restarts it; its jobs are safe in Redis).
import type { Job, Queue } from 'bullmq';

export interface FetchState {
  nowMs: number;
  /** Last time this worker started a job, or became idle on an empty queue. */
  lastActivityMs: number;
  /** Jobs this worker is running now, and how many it may run. */
  running: number;
  concurrency: number;
  /** Jobs ready to run in the queue. */
  waiting: number;
  /** Whether the BullMQ worker's blocking (fetch) connection is `ready`. */
  blockingReady: boolean;
  /** First recovery after this long stuck; each further one after twice the previous wait. */
  recoverMs: number;
  stallMs: number;
}

export interface FetchVerdict {
  /** Since when this worker has been stuck (jobs waiting or no fetch connection, free slots, no start). */
  suspectSinceMs?: number;
  /** Recoveries already asked for since the suspicion began. */
  recoveries: number;
  /** Replace the BullMQ worker now. */
  recover: boolean;
  /** Stuck for `stallMs`: give up on this process. */
  stalled: boolean;
}

export const HEALTHY: FetchVerdict = { recoveries: 0, recover: false, stalled: false };

/** One check: stuck means free slots and no start for a while in a row (not one glance). */
export function judgeFetch(previous: FetchVerdict, s: FetchState): FetchVerdict {
  if (s.running >= s.concurrency) return HEALTHY;
  if (s.waiting === 0 && s.blockingReady) return HEALTHY;
  // A start after the suspicion began restarts it, with a fresh recovery budget.
  const started = previous.suspectSinceMs !== undefined && s.lastActivityMs > previous.suspectSinceMs;
  const since = Math.max(previous.suspectSinceMs ?? s.nowMs, s.lastActivityMs);
  const recoveries = started ? 0 : previous.recoveries;
  const stuckMs = s.nowMs - since;
  if (stuckMs >= s.stallMs) return { suspectSinceMs: since, recoveries, recover: false, stalled: true };
  // Waits of recoverMs, 2×, 4×… measured from the start of the suspicion: 1×, 3×, 7×… in total.
  const due = s.recoverMs * (2 ** (recoveries + 1) - 1);
  const recover = stuckMs >= due;
  return {
    suspectSinceMs: since,
    recoveries: recover ? recoveries + 1 : recoveries,
    recover,
    stalled: false,
  };
}

type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

/** What the watchdog needs to see of the current BullMQ worker. */
export interface WatchedWorker {
  readonly closing: unknown;
  /** Whether its blocking (fetch) connection is `ready` now. */
  blockingReady(): Promise<boolean>;
}

export interface WatchdogOptions {
  queue: Queue;
  concurrency: number;
  recoverMs: number;
  stallMs: number;
  /** Replace the BullMQ worker (Redis answers, but this one is not fetching). */
  onRecover: (info: { waiting: number; blockingReady: boolean; stuckMs: number }) => void;
  onStall: (waiting: number) => void;
}

export interface FetchWatchdog {
  /** Wrap the processor so the watchdog sees every job start and end (delays and failures included). */
  track(processor: Processor): Processor;
  /** Start checking; `current` returns the worker fetching now (it changes on recovery). */
  start(current: () => WatchedWorker): void;
  /** An empty queue is a reason to be idle (BullMQ's `drained` event). */
  drained(): void;
  stop(): void;
  /** Jobs running now; `stuck` once a recovery was needed and no job has started since. */
  status(): { running: number; stuck: boolean };
}

export function createFetchWatchdog(opts: WatchdogOptions): FetchWatchdog {
  let lastActivityMs = Date.now();
  let running = 0;
  let timer: NodeJS.Timeout | undefined;
  let checking = false;
  let verdict: FetchVerdict = HEALTHY;
  const check = async (worker: WatchedWorker) => {
    const [waiting, paused] = await Promise.all([
      opts.queue.getJobCountByTypes('wait', 'prioritized'),
      opts.queue.isPaused(),
    ]);
    if (paused || worker.closing) {
      verdict = HEALTHY;
      return;
    }
    const blockingReady = await worker.blockingReady();
    const state = { nowMs: Date.now(), lastActivityMs, running, waiting, blockingReady, ...opts };
    verdict = judgeFetch(verdict, state);
    const stuckMs = state.nowMs - (verdict.suspectSinceMs ?? state.nowMs);
    if (verdict.stalled) opts.onStall(waiting);
    else if (verdict.recover) opts.onRecover({ waiting, blockingReady, stuckMs });
  };
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
    start(current) {
      timer = setInterval(
        () => {
          if (checking) return;
          checking = true;
          check(current())
            .catch(() => {}) // Redis away: nothing can be judged; the next tick tries again.
            .finally(() => {
              checking = false;
            });
        },
        Math.max(100, Math.min(opts.recoverMs / 4, opts.stallMs / 4)),
      );
      timer.unref();
    },
    drained() {
      lastActivityMs = Date.now();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
    status: () => ({ running, stuck: verdict.recoveries > 0 || verdict.stalled }),
  };
}
