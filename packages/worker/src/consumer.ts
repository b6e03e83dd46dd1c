// The BullMQ Worker this process fetches jobs through, replaceable in place: when its fetch connection is
// stuck after a Redis outage, a new Worker (own connections) takes over fetching at once — the BullMQ
// maintainer's advice for this failure (bullmq#3185: no ready after a disconnect → close the worker and
// create a new one). Jobs in flight finish on the Worker that took them, which is then closed; one whose
// close() cannot finish (its wedged blocking connection) is cut loose once it holds no job (none fetched
// whose outcome is not yet in Redis).
import { setTimeout as delay } from 'node:timers/promises';
import type { RedisClient } from '@switchyard/redis-state';
import type { WorkerOptions as BullWorkerOptions, Job } from 'bullmq';
import type { Logger } from 'pino';
import { SwitchyardWorker } from './switchyard-worker.ts';

/** How long a closing Worker with no job left may wait for BullMQ's close before it is cut loose. */
const WEDGED_CLOSE_MS = 5_000;

type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

export interface ConsumerOptions {
  queueName: string;
  processor: Processor;
  /** BullMQ worker options except the connection (each Worker gets its own from `connect`). */
  options: Omit<BullWorkerOptions, 'connection' | 'autorun'>;
  connect: () => RedisClient;
  logger: Logger;
  /** Attach event listeners to each new Worker. */
  listen: (worker: SwitchyardWorker) => void;
}

interface Generation {
  n: number;
  worker: SwitchyardWorker;
  connection: RedisClient;
  closed?: Promise<void>;
}

export class Consumer {
  readonly #opts: ConsumerOptions;
  readonly #retiring = new Set<Generation>();
  #current: Generation;
  #generations = 0;

  constructor(opts: ConsumerOptions) {
    this.#opts = opts;
    this.#current = this.#spawn();
  }

  /** The Worker fetching now. */
  get worker(): SwitchyardWorker {
    return this.#current.worker;
  }

  /** How many Workers were replaced so far. */
  get replacements(): number {
    return this.#generations - 1;
  }

  waitUntilReady(): Promise<void> {
    return this.#current.worker.waitUntilReady();
  }

  /** A new Worker takes over fetching now; the old one finishes its jobs and is closed. */
  replace(why: object): void {
    const old = this.#current;
    this.#current = this.#spawn();
    this.#opts.logger.warn(
      { ...why, generation: this.#current.n, retiredHeld: old.worker.held },
      'replaced the BullMQ worker: Redis answers but it was not fetching',
    );
    this.#retire(old);
  }

  /** Stop fetching, let every Worker's jobs finish (up to `graceMs`, then cancel them), release all. */
  async close(graceMs: number): Promise<void> {
    this.#retire(this.#current);
    const all = [...this.#retiring];
    const forced = setTimeout(() => {
      this.#opts.logger.warn({ graceMs }, 'drain deadline passed; cancelling in-flight jobs');
      for (const g of all) {
        g.worker.cancelAllJobs('worker shutting down');
        void g.worker.close(true).catch(() => {});
      }
    }, graceMs);
    await Promise.all(all.map((g) => g.closed));
    clearTimeout(forced);
  }

  #spawn(): Generation {
    const { queueName, processor, options, connect, listen } = this.#opts;
    const connection = connect();
    const gen = { n: ++this.#generations, connection } as Generation;
    gen.worker = new SwitchyardWorker(queueName, processor, { ...options, connection, autorun: true });
    listen(gen.worker);
    return gen;
  }

  #retire(gen: Generation): void {
    if (gen.closed) return;
    this.#retiring.add(gen);
    gen.closed = (async () => {
      const closed = gen.worker.close().then(
        () => 'closed' as const,
        () => 'closed' as const,
      );
      // BullMQ's close also waits for the blocking connection, which after an outage can stay wedged.
      // Once this Worker holds no job (its outcomes are in Redis, even if that waited out an outage),
      // there is nothing left to drain. A fetch already under way when close() was called can still
      // bring a job: idle means none was held for the whole grace period.
      const { worker } = gen;
      const idle = (async () => {
        do {
          while (worker.held > 0) await delay(50, undefined, { ref: false });
          await delay(WEDGED_CLOSE_MS, undefined, { ref: false });
        } while (worker.held > 0);
        return 'wedged' as const;
      })();
      if ((await Promise.race([closed, idle])) === 'wedged') {
        this.#opts.logger.warn(
          { generation: gen.n, afterMs: WEDGED_CLOSE_MS },
          'BullMQ close did not return with no job held; closing anyway',
        );
      }
      gen.worker.abandon();
      gen.connection.disconnect();
      this.#retiring.delete(gen);
    })();
  }
}
