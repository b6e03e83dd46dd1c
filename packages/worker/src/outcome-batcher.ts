// Successful outcomes are bookkeeping nobody waits for: gathered for one event-loop turn and written per
// group with one `recordMany` call, so a busy worker pays one Redis round trip for many jobs.
import type { Outcome, RoutingState } from '@switchyard/redis-state';
import type { Logger } from 'pino';

export class OutcomeBatcher {
  readonly #state: RoutingState;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #pending = new Map<string, Outcome[]>();
  readonly #writes = new Set<Promise<unknown>>();
  #scheduled = false;

  constructor(state: RoutingState, logger: Logger, maxBatch = 64) {
    this.#state = state;
    this.#logger = logger;
    this.#maxBatch = maxBatch;
  }

  add(outcome: Outcome): void {
    const list = this.#pending.get(outcome.group) ?? [];
    if (list.length === 0) this.#pending.set(outcome.group, list);
    list.push(outcome);
    if (list.length >= this.#maxBatch) this.#write(outcome.group);
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#writeAll());
    }
  }

  /** Writes what is pending and resolves once every write has landed (graceful shutdown). */
  async drain(): Promise<void> {
    this.#writeAll();
    await Promise.all(this.#writes);
  }

  #writeAll(): void {
    this.#scheduled = false;
    for (const group of [...this.#pending.keys()]) this.#write(group);
  }

  #write(group: string): void {
    const outcomes = this.#pending.get(group);
    this.#pending.delete(group);
    if (!outcomes?.length) return;
    const write = this.#state
      .recordMany(outcomes)
      // The leases expire on their own; a lost success record only delays a slot's release.
      .catch((err: Error) => this.#logger.warn({ err: err.message, group }, 'recording outcomes failed'))
      .finally(() => this.#writes.delete(write));
    this.#writes.add(write);
  }
}
