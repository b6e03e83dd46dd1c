// A bounded buffer in front of one slow destination (the Redis stream, a module, a webhook): `push` never
// waits and never throws; one delivery runs at a time with whatever has gathered; when the buffer is full
// or a delivery fails, the events are dropped and counted (pino's rule: the job never waits on logging).

export interface SinkQueueOptions<T> {
  /** Names the sink in the drop metric (LiteLLM's `callback_name`). */
  name: string;
  /** Delivers one batch; a rejection drops the batch. Retries, if any, belong inside. */
  deliver: (batch: T[]) => Promise<void>;
  /** Events held while a delivery runs. @defaultValue 10000 */
  capacity?: number;
  /** Most events per delivery. @defaultValue 500 */
  maxBatch?: number;
  onDrop: (name: string, count: number, reason: string) => void;
}

export class SinkQueue<T> {
  readonly name: string;
  readonly #opts: SinkQueueOptions<T>;
  readonly #capacity: number;
  readonly #maxBatch: number;
  #buffer: T[] = [];
  #running: Promise<void> | undefined;
  #scheduled = false;

  constructor(opts: SinkQueueOptions<T>) {
    this.name = opts.name;
    this.#opts = opts;
    this.#capacity = opts.capacity ?? 10_000;
    this.#maxBatch = opts.maxBatch ?? 500;
  }

  push(item: T): void {
    if (this.#buffer.length >= this.#capacity) {
      this.#opts.onDrop(this.name, 1, 'buffer full');
      return;
    }
    this.#buffer.push(item);
    if (!this.#running && !this.#scheduled) {
      this.#scheduled = true;
      // Gather the events of this event-loop turn into one delivery.
      setImmediate(() => {
        this.#scheduled = false;
        this.#kick();
      });
    }
  }

  /** Resolves once everything pushed so far was delivered or dropped (graceful shutdown). */
  async flush(): Promise<void> {
    while (this.#running || this.#buffer.length > 0 || this.#scheduled) {
      this.#kick();
      await (this.#running ?? new Promise((r) => setImmediate(r)));
    }
  }

  #kick(): void {
    if (this.#running || this.#buffer.length === 0) return;
    const batch = this.#buffer.splice(0, this.#maxBatch);
    this.#running = this.#opts
      .deliver(batch)
      .catch((err: unknown) =>
        this.#opts.onDrop(this.name, batch.length, (err as Error)?.message ?? String(err)),
      )
      .finally(() => {
        this.#running = undefined;
        this.#kick();
      });
  }
}
