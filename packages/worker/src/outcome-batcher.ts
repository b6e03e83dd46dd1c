// Successful outcomes are bookkeeping nobody waits for: gathered for one event-loop turn and written per
// group with one `recordMany` call, so a busy worker pays one Redis round trip for many jobs.
import type { Outcome, RoutingState, Spend } from '@switchyard/redis-state';
import type { Logger } from 'pino';

export class OutcomeBatcher {
  readonly #state: RoutingState;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #pending = new Map<string, Outcome[]>();
  /** Budget spend gathered the same way: one `addSpend` call per turn, whatever the groups. */
  readonly #spend = new Map<string, Spend>();
  #spendWritten: { promise: Promise<void>; resolve: () => void } | undefined;
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
    else this.#schedule();
  }

  /**
   * Adds a call's cost to its budgets, written with this turn's outcomes. Resolves once it has landed: a
   * budgeted job's result waits for it, so the next job anywhere in the fleet sees the spend (exactness).
   */
  spend(spends: readonly Spend[]): Promise<void> {
    for (const s of spends) {
      const sum = this.#spend.get(s.name);
      if (sum) sum.cost += s.cost;
      else this.#spend.set(s.name, { ...s });
    }
    this.#schedule();
    this.#spendWritten ??= Promise.withResolvers<void>();
    return this.#spendWritten.promise;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#writeAll());
  }

  /** Writes what is pending and resolves once every write has landed (graceful shutdown). */
  async drain(): Promise<void> {
    this.#writeAll();
    await Promise.all(this.#writes);
  }

  #writeAll(): void {
    this.#scheduled = false;
    for (const group of [...this.#pending.keys()]) this.#write(group);
    if (this.#spend.size > 0) {
      const spends = [...this.#spend.values()];
      const written = this.#spendWritten;
      this.#spend.clear();
      this.#spendWritten = undefined;
      // A lost spend write under-counts a budget; the job's answer is not failed for it.
      const write = this.#state.addSpend(spends).finally(() => written?.resolve());
      this.#track(write, 'recording budget spend failed', 'budgets');
    }
  }

  #write(group: string): void {
    const outcomes = this.#pending.get(group);
    this.#pending.delete(group);
    if (!outcomes?.length) return;
    // The leases expire on their own; a lost success record only delays a slot's release.
    this.#track(this.#state.recordMany(outcomes), 'recording outcomes failed', group);
  }

  #track(promise: Promise<unknown>, message: string, group: string): void {
    const write = promise
      .catch((err: Error) => this.#logger.warn({ err: err.message, group }, message))
      .finally(() => this.#writes.delete(write));
    this.#writes.add(write);
  }
}
