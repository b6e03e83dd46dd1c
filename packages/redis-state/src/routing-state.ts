// The routing state of model groups in Redis: every method is exactly one round trip (one Lua
// script or one command), so N workers share exact limits without coordinating otherwise.
import type { DeploymentState } from '@switchyard/core';
import { budgetsKey, type DeploymentKeys, deploymentKeys, nextWakeKey } from './keys.ts';
import { type RedisClient, runScript } from './script-loader.ts';
import {
  type DeploymentLimits,
  type Outcome,
  type RecordResult,
  type ReserveRequest,
  type ReserveResult,
  type Saturation,
  type Spend,
  type Unused,
  unitId,
} from './types.ts';

export interface RoutingStateOptions {
  /** Key prefix. @defaultValue 'sy' */
  prefix?: string;
  /** Length of the sliding rpm/tpm window and of the allowed_fails "minute". @defaultValue 60000 */
  windowMs?: number;
}

/** A deployment's state plus what the CLI shows beyond it. */
export interface DeploymentStatus extends DeploymentState {
  /** Failures counted towards allowed_fails in the current window. */
  fails: number;
}

const SNAPSHOT_FIELDS = 7;

export class RoutingState {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #windowMs: number;

  constructor(client: RedisClient, options: RoutingStateOptions = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? 'sy';
    this.#windowMs = options.windowMs ?? 60_000;
  }

  /**
   * Reserves capacity on the first candidate with room, or says when capacity returns. Candidates with a
   * budget cost one round trip more: their spend is read first (`checkBudgets`), the spent ones left out.
   */
  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    if (request.candidates.length === 0) throw new RangeError('reserve needs at least one candidate');
    let candidates = request.candidates;
    if (candidates.some((c) => c.budgets?.length)) {
      const spent = await this.#spentBudgets(candidates);
      candidates = candidates.filter((c) => !c.budgets?.some((b) => spent.has(b.name)));
      if (candidates.length === 0) return firstReset(request.candidates, spent);
    }
    const keys = [nextWakeKey(this.#prefix, request.group, request.lane)];
    const args: (string | number)[] = [
      this.#windowMs,
      tokenCount(request.estimatedTokens),
      request.reservationId,
      Math.ceil(request.leaseMs),
      Math.ceil(request.unitTtlMs ?? 0),
    ];
    for (const c of candidates) {
      keys.push(...scriptKeys(this.#keys(request.group, c.id)));
      args.push(
        c.id,
        limit(c.rpm),
        limit(c.tpm),
        limit(c.maxParallel),
        request.unitTtlMs ? (c.units ?? 1) : 1,
      );
    }
    const reply = (await runScript(this.#client, 'reserveCapacity', keys, args)) as [number, ...unknown[]];
    if (reply[0] === 1) {
      const granted = Number(reply[2]);
      const spareUnits = Array.from({ length: granted - 1 }, (_, i) => unitId(request.reservationId, i + 2));
      return { ok: true, deploymentId: String(reply[1]), spareUnits };
    }
    return { ok: false, wakeAtMs: Number(reply[1]), reason: reply[2] as Saturation };
  }

  /** The candidates' budgets that are spent, each with when it resets (one script on the budgets hash). */
  async #spentBudgets(candidates: readonly DeploymentLimits[]): Promise<Map<string, number>> {
    const limits = new Map<string, number>();
    for (const c of candidates) for (const b of c.budgets ?? []) limits.set(b.name, b.limit);
    const names = [...limits.keys()];
    const args = names.flatMap((name) => [name, limits.get(name)!]);
    const resets = (await runScript(
      this.#client,
      'checkBudgets',
      [budgetsKey(this.#prefix)],
      args,
    )) as number[];
    return new Map(names.flatMap((name, i) => (Number(resets[i]) > 0 ? [[name, Number(resets[i])]] : [])));
  }

  /** Releases the lease, corrects tokens, adds the latency sample and applies a failure's cooldown. */
  async record(outcome: Outcome): Promise<RecordResult> {
    const [result] = await this.recordMany([outcome]);
    return result!;
  }

  /**
   * Records several outcomes of ONE group in one round trip (Redis Cluster: one hash tag per call).
   * The worker batches successes this way; results come back in input order.
   */
  async recordMany(outcomes: readonly Outcome[]): Promise<RecordResult[]> {
    if (outcomes.length === 0) return [];
    const group = outcomes[0]!.group;
    if (outcomes.some((o) => o.group !== group))
      throw new RangeError('recordMany takes outcomes of one group');
    // Grouped by deployment (the script touches each deployment's keys once); replies map back by index.
    const byDeployment = Map.groupBy(
      outcomes.map((outcome, index) => ({ outcome, index })),
      (o) => o.outcome.deploymentId,
    );
    const keys: string[] = [];
    const args: (string | number)[] = [this.#windowMs];
    const order: number[] = [];
    for (const [deploymentId, list] of byDeployment) {
      const k = this.#keys(group, deploymentId);
      keys.push(...scriptKeys(k), k.latency);
      args.push(list.length);
      for (const { outcome, index } of list) {
        order.push(index);
        const f = outcome.failure;
        args.push(
          outcome.reservationId,
          outcome.totalTokens === undefined ? '' : tokenCount(outcome.totalTokens),
          outcome.latencySample === undefined ? '' : outcome.latencySample,
          outcome.ok ? '' : '1',
          f?.coolNow ? '1' : '0',
          f?.countFail ? '1' : '0',
          f?.allowedFails ?? 0,
          f?.cooldownMs ?? 0,
          outcome.callMs === undefined ? '' : outcome.callMs,
          f?.failureRate?.threshold ?? '',
          f?.failureRate?.minRequests ?? '',
        );
      }
    }
    const reply = (await runScript(this.#client, 'recordOutcome', keys, args)) as (number | string)[];
    const results: RecordResult[] = new Array(outcomes.length);
    order.forEach((index, i) => {
      results[index] = {
        cooldownUntilMs: Number(reply[2 * i]),
        cooldownStarted: Number(reply[2 * i + 1]) === 1,
      };
    });
    return results;
  }

  /** Adds calls' cost to their budgets (one round trip for any number of them). */
  async addSpend(spends: readonly Spend[]): Promise<void> {
    if (spends.length === 0) return;
    const args = spends.flatMap((s) => [s.name, s.cost, s.periodMs ?? '']);
    await runScript(this.#client, 'addSpend', [budgetsKey(this.#prefix)], args);
  }

  /** Spend per budget name in the current period, and when that period ends (0: never). */
  async budgetSpend(): Promise<Map<string, { spent: number; endsAtMs: number }>> {
    const raw = await this.#client.hgetall(budgetsKey(this.#prefix));
    const now = Date.now();
    const out = new Map<string, { spent: number; endsAtMs: number }>();
    for (const [field, value] of Object.entries(raw)) {
      if (field.endsWith(':end')) continue;
      const endsAtMs = Number(raw[`${field}:end`] ?? 0);
      out.set(field, { spent: endsAtMs && endsAtMs <= now ? 0 : Number(value), endsAtMs });
    }
    return out;
  }

  /** Forgets every budget's spend (LiteLLM's reset_cost for budgets). */
  async resetSpend(): Promise<void> {
    await this.#client.del(budgetsKey(this.#prefix));
  }

  /** Gives back a reservation that was never used. Resolves true when something was released. */
  async release(group: string, deploymentId: string, reservationId: string): Promise<boolean> {
    return (await this.releaseMany(group, [{ deploymentId, reservationId }])) === 1;
  }

  /** Gives back unused reservations of ONE group in one round trip; resolves how many were released. */
  async releaseMany(group: string, unused: readonly Unused[]): Promise<number> {
    if (unused.length === 0) return 0;
    const byDeployment = Map.groupBy(unused, (u) => u.deploymentId);
    const keys: string[] = [];
    const args: (string | number)[] = [];
    for (const [deploymentId, list] of byDeployment) {
      keys.push(...scriptKeys(this.#keys(group, deploymentId)));
      args.push(list.length, ...list.map((u) => u.reservationId));
    }
    return Number(await runScript(this.#client, 'releaseReservation', keys, args));
  }

  /** Current state of the given deployments, in the given order. */
  async snapshot(group: string, deploymentIds: readonly string[]): Promise<DeploymentState[]> {
    return (await this.status(group, deploymentIds)).map(({ fails: _fails, ...state }) => state);
  }

  /** Snapshot plus the failure count, for the CLI. */
  async status(group: string, deploymentIds: readonly string[]): Promise<DeploymentStatus[]> {
    if (deploymentIds.length === 0) return [];
    const keys = deploymentIds.flatMap((id) => scriptKeys(this.#keys(group, id)));
    const reply = (await runScript(this.#client, 'snapshotDeployments', keys, [this.#windowMs])) as unknown[];
    return deploymentIds.map((id, i) => {
      const [inflight, rpmUsed, tpmUsed, latency, latencyAt, cooldownUntil, fails] = reply.slice(
        i * SNAPSHOT_FIELDS,
        (i + 1) * SNAPSHOT_FIELDS,
      );
      const status: DeploymentStatus = {
        id,
        inflight: Number(inflight),
        rpmUsed: Number(rpmUsed),
        tpmUsed: Number(tpmUsed),
        cooldownUntilMs: Number(cooldownUntil),
        fails: Number(fails),
      };
      if (latency !== '') status.latencyMs = Number(latency);
      if (latencyAt !== '') status.latencyAtMs = Number(latencyAt);
      return status;
    });
  }

  /** Ends a deployment's cooldown and forgets its failures now (operator action). */
  async clearCooldown(group: string, deploymentId: string): Promise<void> {
    const { state } = this.#keys(group, deploymentId);
    await this.#client.hdel(state, 'cooldown_until', 'fails', 'fails_since');
  }

  #keys(group: string, deploymentId: string): DeploymentKeys {
    return deploymentKeys(this.#prefix, group, deploymentId);
  }
}

/** The four keys the window scripts take per deployment, in their KEYS order. */
function scriptKeys(k: DeploymentKeys): string[] {
  return [k.window, k.tokens, k.leases, k.state];
}

/**
 * Every candidate is over a budget: a candidate is back when the last of its spent budgets resets, and the
 * answer names that budget of the candidate back first.
 */
function firstReset(
  candidates: readonly DeploymentLimits[],
  spent: ReadonlyMap<string, number>,
): ReserveResult {
  let best: { budget: string; wakeAtMs: number } | undefined;
  for (const c of candidates) {
    let last: { budget: string; wakeAtMs: number } | undefined;
    for (const b of c.budgets ?? []) {
      const at = spent.get(b.name);
      if (at !== undefined && (!last || at > last.wakeAtMs)) last = { budget: b.name, wakeAtMs: at };
    }
    if (last && (!best || last.wakeAtMs < best.wakeAtMs)) best = last;
  }
  return { ok: false, reason: 'budget', ...best! };
}

function limit(value: number | undefined): string | number {
  return value === undefined || !Number.isFinite(value) ? '' : value;
}

// The window counts whole tokens (HINCRBY); a fractional estimate is rounded up, never down.
function tokenCount(tokens: number): number {
  return Math.max(0, Math.ceil(tokens));
}
