// Chooses and reserves a deployment: the strategy orders from a cached snapshot, one Lua call reserves.

import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import {
  budgetsOf,
  type Deployment,
  type DeploymentState,
  healthyOnly,
  orderCandidates,
  type RoutingStrategy,
  type SwitchyardConfig,
} from '@switchyard/core';
import type { PacingLane, ReserveResult, RoutingState } from '@switchyard/redis-state';
import type { LeasePool } from './lease-pool.ts';

export interface PickRequest {
  group: string;
  deployments: readonly Deployment[];
  estimatedTokens: number;
  tags: string[] | undefined;
  /** The caller's User-Agent, for `tag_regex`. */
  userAgent?: string | undefined;
  exclude: readonly string[];
  /** Tried last, not excluded: a retry goes to another healthy deployment when one has room. */
  avoid?: string | undefined;
  reservationId: string;
  leaseMs: number;
  /** Which waiters' schedule a saturated request joins. @defaultValue 'interactive' */
  lane?: PacingLane;
}

/** `reservationId`: the request's own, or a spare unit of an earlier lease; record the outcome under it. */
export type PickResult =
  | (ReserveResult & { ok: false })
  | { ok: true; deployment: Deployment; reservationId: string };

interface Snapshot {
  at: number;
  states: Map<string, DeploymentState>;
  refreshing?: Promise<void>;
}

export class DeploymentRouter {
  readonly #state: RoutingState;
  readonly #strategyOf: (group: string) => RoutingStrategy;
  readonly #config: SwitchyardConfig;
  readonly #snapshotMs: number;
  readonly #random: () => number;
  readonly #snapshots = new Map<string, Snapshot>();
  readonly #leases: LeasePool | undefined;
  readonly #unhealthy: (() => ReadonlySet<string>) | undefined;

  constructor(
    config: SwitchyardConfig,
    state: RoutingState,
    /** One strategy for every group, or each group's own (`model_group_routing_strategy`). */
    strategy: RoutingStrategy | ((group: string) => RoutingStrategy),
    opts: {
      snapshotMs?: number;
      random?: () => number;
      leases?: LeasePool;
      /** enable_health_check_routing: deployments whose last health check failed, skipped (never all). */
      unhealthy?: () => ReadonlySet<string>;
    } = {},
  ) {
    this.#unhealthy = opts.unhealthy;
    this.#config = config;
    this.#state = state;
    this.#strategyOf = typeof strategy === 'function' ? strategy : () => strategy;
    this.#snapshotMs = opts.snapshotMs ?? 250;
    this.#random = opts.random ?? Math.random;
    this.#leases = opts.leases?.enabled ? opts.leases : undefined;
  }

  async pick(req: PickRequest): Promise<PickResult> {
    const ordered = await this.#rank(req);
    const leases = this.#leases;
    // The strategy's first choice, from a spare unit when this worker holds one: no round trip.
    const top = ordered[0];
    const unit = top && (await leases?.take(req.group, top.id, req.estimatedTokens));
    if (unit) return { ok: true, deployment: top, reservationId: unit };

    const defaultParallel = this.#config.router.defaultMaxParallelRequests;
    let reservedAt = 0;
    const reserve = () =>
      this.#state.reserve({
        group: req.group,
        candidates: ordered.map((d) => {
          const budgets = budgetsOf(d, this.#config.router);
          return {
            id: d.id,
            rpm: d.rpm,
            tpm: d.tpm,
            maxParallel: d.maxParallelRequests ?? defaultParallel,
            budgets,
            // A budget is checked per reservation: spare units would spend past it unchecked.
            units: budgets.length ? 1 : (leases?.want(req.group, d.id) ?? 1),
          };
        }),
        estimatedTokens: req.estimatedTokens,
        reservationId: req.reservationId,
        leaseMs: req.leaseMs,
        lane: req.lane ?? 'interactive',
        unitTtlMs: leases?.ttlMs ?? 0,
      });
    // A lease call waits one turn of the event loop so that picks started by the same burst of Redis
    // replies wait for it too and are counted in its size.
    const call = leases
      ? setImmediatePromise().then(() => {
          reservedAt = leases.now();
          return reserve();
        })
      : reserve();
    if (top) leases?.track(req.group, top.id, call);
    const result = await call;
    if (!result.ok) return result;
    const deployment = ordered.find((d) => d.id === result.deploymentId);
    if (!deployment) throw new RangeError(`reserve returned unknown deployment ${result.deploymentId}`);
    leases?.add(req.group, deployment.id, result.spareUnits, req.estimatedTokens, reservedAt);
    return { ok: true, deployment, reservationId: req.reservationId };
  }

  /** A deployment started cooling down: spare units this worker holds for it are given back unspent. */
  discardLeases(group: string, deploymentId: string): void {
    this.#leases?.discard(group, deploymentId);
  }

  /** Gives back every spare unit (shutdown). */
  async drainLeases(): Promise<void> {
    await this.#leases?.drain();
  }

  /**
   * The deployment `pick` would try first, without reserving anything: for attempts that never reach a
   * provider (mocks), which must leave no trace in routing state.
   */
  async preview(req: PickRequest): Promise<Deployment> {
    const ordered = await this.#rank(req);
    const first = ordered[0] ?? req.deployments[0];
    if (!first) throw new RangeError(`model group "${req.group}" has no deployments`);
    return first;
  }

  async #rank(req: PickRequest): Promise<Deployment[]> {
    const usable = req.exclude.length
      ? req.deployments.filter((d) => !req.exclude.includes(d.id))
      : req.deployments;
    const allowed = this.#unhealthy ? healthyOnly(usable, this.#unhealthy()) : usable;
    const strategy = this.#strategyOf(req.group);
    // A lone candidate has no order to find, and a strategy that ranks on the config alone needs state only
    // to sort cooling deployments last: neither waits a round trip for a snapshot (reserve is the check).
    const states =
      allowed.length <= 1
        ? NO_STATES
        : await this.#states(req.group, req.deployments, strategy.readsState !== false);
    const ranked = orderCandidates(allowed, states, strategy, {
      estimatedTokens: req.estimatedTokens,
      tags: req.tags,
      userAgent: req.userAgent,
      nowMs: Date.now(),
      random: this.#random,
      args: this.#config.router.routingStrategyArgs,
    });
    return req.avoid ? moveLast(ranked, req.avoid) : ranked;
  }

  /**
   * Health of a group's deployments as of the last snapshot (for the planner's "another healthy one?");
   * `fresh` reads Redis now, for decisions a snapshot a few hundred ms old would get wrong.
   */
  async health(
    group: string,
    deployments: readonly Deployment[],
    fresh = false,
  ): Promise<{ id: string; healthy: boolean }[]> {
    if (fresh) this.#snapshots.delete(group);
    const states = await this.#states(group, deployments);
    const now = Date.now();
    return deployments.map((d) => ({ id: d.id, healthy: (states.get(d.id)?.cooldownUntilMs ?? 0) <= now }));
  }

  /**
   * Snapshot of shared state, refreshed in the background once it is older than snapshotMs. A snapshot
   * older than two periods (the group was idle here) may be arbitrarily wrong — it once ranked a
   * deployment holding 40× the other's usage as idle — so the caller waits for the refresh instead, unless
   * `wait` is false (its ranking does not read state): then it gets what there is (empty the first time).
   */
  async #states(
    group: string,
    deployments: readonly Deployment[],
    wait = true,
  ): Promise<ReadonlyMap<string, DeploymentState>> {
    let snap = this.#snapshots.get(group);
    const now = Date.now();
    if (snap && now - snap.at < this.#snapshotMs) return snap.states;
    if (!snap) {
      snap = { at: 0, states: new Map() };
      this.#snapshots.set(group, snap);
    }
    snap.refreshing ??= this.#refresh(group, deployments, snap).catch(() => {});
    if (wait && now - snap.at >= 2 * this.#snapshotMs) await snap.refreshing;
    return snap.states;
  }

  async #refresh(group: string, deployments: readonly Deployment[], snap: Snapshot): Promise<void> {
    try {
      const list = await this.#state.snapshot(
        group,
        deployments.map((d) => d.id),
      );
      snap.states = new Map(list.map((s) => [s.id, s]));
      snap.at = Date.now();
    } finally {
      snap.refreshing = undefined;
    }
  }
}

const NO_STATES: ReadonlyMap<string, DeploymentState> = new Map();

function moveLast(list: Deployment[], id: string): Deployment[] {
  const idx = list.findIndex((d) => d.id === id);
  if (idx < 0 || idx === list.length - 1) return list;
  return [...list.slice(0, idx), ...list.slice(idx + 1), list[idx]!];
}
