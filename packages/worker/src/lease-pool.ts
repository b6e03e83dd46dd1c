// Quota leases, the worker's side: the spare units of a reserve call wait here for the next jobs that pick
// the same deployment, so a busy worker pays one routing round trip for several jobs. Picks that find no
// unit while a lease call for their deployment is on its way wait for it instead of each calling Redis
// (a burst of jobs becomes a few calls). A unit unused within its TTL is given back, batched per group.
import type { Unused } from '@switchyard/redis-state';

export interface LeasePoolOptions {
  /** Units asked for at most in one reserve call; 1 turns leasing off. */
  maxUnits: number;
  /** How long a spare unit may wait for a job before it is given back. */
  ttlMs: number;
  /** Gives back unused units of one group (errors are the callee's: the units also expire in Redis). */
  release: (group: string, unused: Unused[]) => Promise<unknown>;
  now?: () => number;
}

interface Unit {
  reservationId: string;
  /** The tokens reserved with it: a job estimating more must reserve its own. */
  tokens: number;
  expiresAt: number;
}

interface Shelf {
  units: Unit[];
  /** Picks of this deployment in the current and the last demand period. */
  demand: number;
  lastDemand: number;
  periodStart: number;
  /** The lease call on its way, and how many picks wait for it. */
  inflight: Promise<unknown> | undefined;
  waiting: number;
}

// Demand is counted over a period much longer than a unit's TTL: jobs arrive in bursts.
const DEMAND_PERIOD_MS = 1000;

export class LeasePool {
  readonly #opts: LeasePoolOptions;
  readonly #now: () => number;
  readonly #shelves = new Map<string, Map<string, Shelf>>();
  readonly #releases = new Set<Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: LeasePoolOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
  }

  get enabled(): boolean {
    return this.#opts.maxUnits > 1 && this.#opts.ttlMs > 0;
  }

  get ttlMs(): number {
    return this.#opts.ttlMs;
  }

  /** The pool's clock: read it just before a reserve call is sent, for `add`. */
  now(): number {
    return this.#now();
  }

  /**
   * A spare unit of the deployment covering `tokens`, waiting for a lease call already on its way when
   * there is none; undefined when the caller must reserve itself. Counts the pick as demand once.
   */
  async take(group: string, deploymentId: string, tokens: number): Promise<string | undefined> {
    if (!this.enabled) return undefined;
    const shelf = this.#shelf(group, deploymentId);
    shelf.demand++;
    for (;;) {
      const now = this.#now();
      const i = shelf.units.findIndex((u) => u.tokens >= tokens && u.expiresAt > now);
      if (i >= 0) return shelf.units.splice(i, 1)[0]!.reservationId;
      if (!shelf.inflight) return undefined;
      shelf.waiting++;
      try {
        await shelf.inflight;
      } catch {
        // The lease call's own caller sees its error; a waiter just tries again.
      } finally {
        shelf.waiting--;
      }
    }
  }

  /**
   * Units to ask for on this deployment: its recent demand over half a TTL (a lease asked for when the
   * last ran out is spent over the TTL; asking for all of it returned half unspent), and at least one for
   * each pick waiting here, capped.
   */
  want(group: string, deploymentId: string): number {
    if (!this.enabled) return 1;
    const shelf = this.#shelves.get(group)?.get(deploymentId);
    if (!shelf) return 1;
    this.#roll(shelf);
    const demand = Math.max(shelf.lastDemand, shelf.demand);
    const perHalfTtl = Math.ceil((demand * this.#opts.ttlMs) / (2 * DEMAND_PERIOD_MS));
    return Math.max(1, Math.min(this.#opts.maxUnits, Math.max(perHalfTtl, 1 + shelf.waiting)));
  }

  /** Marks a reserve call whose first choice is this deployment: picks that find no unit wait for it. */
  track(group: string, deploymentId: string, call: Promise<unknown>): void {
    if (!this.enabled) return;
    const shelf = this.#shelf(group, deploymentId);
    shelf.inflight = call;
    const clear = () => {
      if (shelf.inflight === call) shelf.inflight = undefined;
    };
    call.then(clear, clear);
  }

  /** Shelves spare units reserved at `reservedAt` (this clock, taken before the reserve call was sent). */
  add(
    group: string,
    deploymentId: string,
    reservationIds: string[],
    tokens: number,
    reservedAt: number,
  ): void {
    if (reservationIds.length === 0) return;
    // Redis stamped the units at its now + TTL, which is later than this clock's send time + TTL.
    const expiresAt = reservedAt + this.#opts.ttlMs;
    const shelf = this.#shelf(group, deploymentId);
    for (const reservationId of reservationIds) shelf.units.push({ reservationId, tokens, expiresAt });
    this.#timer ??= setTimeout(() => this.#sweep(), this.#opts.ttlMs).unref();
  }

  /** Gives back a deployment's spare units now (it started cooling down: they must not be spent). */
  discard(group: string, deploymentId: string): void {
    const shelf = this.#shelves.get(group)?.get(deploymentId);
    if (!shelf?.units.length) return;
    this.#release(
      group,
      shelf.units.splice(0).map((u) => ({ deploymentId, reservationId: u.reservationId })),
    );
  }

  /** Gives back every spare unit and resolves once Redis has them (graceful shutdown). */
  async drain(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const [group, shelves] of this.#shelves) {
      const unused = [...shelves].flatMap(([deploymentId, shelf]) =>
        shelf.units.splice(0).map((u) => ({ deploymentId, reservationId: u.reservationId })),
      );
      this.#release(group, unused);
    }
    await Promise.all(this.#releases);
  }

  #sweep(): void {
    this.#timer = undefined;
    const now = this.#now();
    let next = Number.POSITIVE_INFINITY;
    for (const [group, shelves] of this.#shelves) {
      const unused: Unused[] = [];
      for (const [deploymentId, shelf] of shelves) {
        shelf.units = shelf.units.filter((u) => {
          if (u.expiresAt > now) {
            next = Math.min(next, u.expiresAt);
            return true;
          }
          unused.push({ deploymentId, reservationId: u.reservationId });
          return false;
        });
      }
      this.#release(group, unused);
    }
    if (next < Number.POSITIVE_INFINITY) {
      this.#timer = setTimeout(() => this.#sweep(), Math.max(1, next - now)).unref();
    }
  }

  #release(group: string, unused: Unused[]): void {
    if (unused.length === 0) return;
    const release = this.#opts
      .release(group, unused)
      .catch(() => {})
      .finally(() => this.#releases.delete(release));
    this.#releases.add(release);
  }

  #shelf(group: string, deploymentId: string): Shelf {
    let shelves = this.#shelves.get(group);
    if (!shelves) {
      shelves = new Map();
      this.#shelves.set(group, shelves);
    }
    let shelf = shelves.get(deploymentId);
    if (!shelf) {
      shelf = {
        units: [],
        demand: 0,
        lastDemand: 0,
        periodStart: this.#now(),
        inflight: undefined,
        waiting: 0,
      };
      shelves.set(deploymentId, shelf);
    }
    this.#roll(shelf);
    return shelf;
  }

  /** Starts a new demand period when one has passed (an idle gap of two or more forgets the demand). */
  #roll(shelf: Shelf): void {
    const now = this.#now();
    const elapsed = now - shelf.periodStart;
    if (elapsed < DEMAND_PERIOD_MS) return;
    shelf.lastDemand = elapsed < 2 * DEMAND_PERIOD_MS ? shelf.demand : 0;
    shelf.demand = 0;
    shelf.periodStart = now;
  }
}
