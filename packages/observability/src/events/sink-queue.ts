// A bounded buffer in front of one slow destination (the Redis stream, a module, a webhook): `push` never
// waits and never throws; one delivery runs at a time with whatever has gathered; when the buffer is full
// or a delivery fails, the events are dropped and counted (pino's rule: the job never waits on logging).
// With `lingerMs`, a batch gathers that long (or until `maxBatch`) before it goes, as OpenTelemetry's
// BatchSpanProcessor does: many events per round trip instead of one per event-loop turn.

export interface SinkQueueOptions<T> {
  /** Names the sink in the drop metric (LiteLLM's `callback_name`). */
  name: string;
  /** Delivers one batch; a rejection drops the batch. Retries, if any, belong inside. */
  deliver: (batch: T[]) => Promise<void>;
  /** Events held while a delivery runs. @defaultValue 10000 */
  capacity?: number;
  /** Most events per delivery; a full batch goes at once. @defaultValue 500 */
  maxBatch?: number;
  /** How long the first event of a batch waits for others; 0: until the end of this event-loop turn. @defaultValue 0 */
  lingerMs?: number;
  onDrop: (name: string, count: number, reason: string) => void;
}

export class SinkQueue<T> {
  readonly name: string;
  readonly #opts: SinkQueueOptions<T>;
  readonly #capacity: number;
  readonly #maxBatch: number;
  readonly #lingerMs: number;
  /** A batch this big goes at once: maxBatch, or less when the buffer holds less (no drops while lingering). */
  readonly #full: number;
  #buffer: T[] = [];
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  constructor(opts: SinkQueueOptions<T>) {
    this.name = opts.name;
    this.#opts = opts;
    this.#capacity = opts.capacity ?? 10_000;
    this.#maxBatch = opts.maxBatch ?? 500;
    this.#lingerMs = opts.lingerMs ?? 0;
    this.#full = Math.min(this.#maxBatch, this.#capacity);
  }

  push(item: T): void {
    if (this.#buffer.length >= this.#capacity) {
      this.#opts.onDrop(this.name, 1, 'buffer full');
      return;
    }
    this.#buffer.push(item);
    if (this.#buffer.length >= this.#full) this.#kick();
    else this.#schedule();
  }

  /** Resolves once everything pushed so far was delivered or dropped (graceful shutdown): no lingering. */
  async flush(): Promise<void> {
    while (this.#running || this.#buffer.length > 0) {
      this.#kick();
      await this.#running;
    }
  }

  /** Arms the one timer that sends what gathered, unless a delivery or the timer is already pending. */
  #schedule(): void {
    if (this.#running || this.#timer) return;
    const fire = () => {
      this.#timer = undefined;
      this.#kick();
    };
    // Unref'd: a batch waiting to go never keeps a process alive (close() flushes it).
    this.#timer = this.#lingerMs > 0 ? setTimeout(fire, this.#lingerMs).unref() : setImmediate(fire).unref();
  }

  #kick(): void {
    if (this.#running || this.#buffer.length === 0) return;
    if (this.#timer) {
      if (this.#lingerMs > 0) clearTimeout(this.#timer as NodeJS.Timeout);
      else clearImmediate(this.#timer as NodeJS.Immediate);
      this.#timer = undefined;
    }
    const batch = this.#buffer.splice(0, this.#maxBatch);
    this.#running = this.#opts
      .deliver(batch)
      .catch((err: unknown) =>
        this.#opts.onDrop(this.name, batch.length, (err as Error)?.message ?? String(err)),
      )
      .finally(() => {
        this.#running = undefined;
        // What gathered meanwhile: a full batch goes now, a partial one lingers like any other.
        if (this.#buffer.length >= this.#full) this.#kick();
        else if (this.#buffer.length > 0) this.#schedule();
      });
  }
}
