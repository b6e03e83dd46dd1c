// Typed shapes of the routing state scripts. All times come from Redis TIME so workers share one clock.
import type { DeploymentState } from '@switchyard/core';

export interface DeploymentLimits {
  id: string;
  rpm?: number;
  tpm?: number;
  maxParallel?: number;
  /** Spend caps this deployment counts towards: it is skipped while one of them is spent. */
  budgets?: readonly BudgetCap[];
  /** Reservations wanted at once on this candidate (a quota lease); fewer may be granted. @defaultValue 1 */
  units?: number;
}

/** A budget as the reserve script checks it: the spend field's name and the limit in USD. */
export interface BudgetCap {
  name: string;
  limit: number;
}

/** Cost to add to a budget; `periodMs` starts a new period when the last one ended (absent: never resets). */
export interface Spend {
  name: string;
  cost: number;
  periodMs?: number;
}

export interface ReserveRequest {
  /** Model group: every key of the group shares the hash tag `{<group>}` (Redis Cluster safe). */
  group: string;
  /** Candidates in the strategy's preference order; the first with free capacity is taken. */
  candidates: readonly DeploymentLimits[];
  estimatedTokens: number;
  /** Unique per attempt (e.g. `${jobId}:${attemptNo}`), used to release and correct the reservation. */
  reservationId: string;
  /** In-flight lease lifetime: a crashed worker's slot frees itself after this long. */
  leaseMs: number;
  /**
   * Which queue of waiters a saturated request joins. Each lane hands out its own wake times, so an
   * interactive request waits for the next free slot, not behind a batch's whole backlog.
   * @defaultValue 'interactive'
   */
  lane?: PacingLane;
  /**
   * Quota lease: how long spare units may wait for later jobs before the worker gives them back. Each
   * candidate's `units` says how many it asks for; 0 (the default) or units of 1 lease nothing.
   */
  unitTtlMs?: number;
}

export type PacingLane = 'interactive' | 'background';

export type Saturation = 'cooldown' | 'rpm' | 'tpm' | 'parallel';

export type ReserveResult =
  /** `spareUnits`: extra reservations of the lease (ids from `unitId`), each spendable until the unit TTL. */
  | { ok: true; deploymentId: string; spareUnits: string[] }
  /** Nothing free now: capacity returns at `wakeAtMs` (already spread so waiters do not wake together). */
  | { ok: false; wakeAtMs: number; reason: Saturation }
  /** Every candidate is over a budget: `budget` (the spend field's name) resets first, at `wakeAtMs`. */
  | { ok: false; wakeAtMs: number; reason: 'budget'; budget: string };

export interface FailureEffect {
  /** Cool down at once (429, 401, 404 … as LiteLLM does), for `cooldownMs`. */
  coolNow: boolean;
  /** Count towards allowed_fails in the current minute; cool when the count exceeds `allowedFails`. */
  countFail: boolean;
  allowedFails: number;
  cooldownMs: number;
  /** Cool by failure rate instead: failures > threshold of the window's requests, at least minRequests. */
  failureRate?: { threshold: number; minRequests: number };
}

export interface Outcome {
  group: string;
  deploymentId: string;
  reservationId: string;
  ok: boolean;
  /** Sample for latency stats (success: ms per output token when known, else ms). Omit to skip. */
  latencySample?: number;
  /** Wall time of the whole call in ms: paces jobs waiting for an in-flight slot (max_parallel). */
  callMs?: number;
  /** Real total tokens: replaces the estimate in the TPM window. */
  totalTokens?: number;
  failure?: FailureEffect;
}

export interface RecordResult {
  /** Epoch ms the deployment is cooling down until, 0 when not cooling. */
  cooldownUntilMs: number;
  /** This outcome started that cooldown; false when another outcome (any worker's) had already started it. */
  cooldownStarted: boolean;
}

export type { DeploymentState };

/** The reservation id of a lease's unit `n` (2, 3, …); unit 1 is the reservation itself. */
export function unitId(reservationId: string, n: number): string {
  return `${reservationId}~${n}`;
}

/** A reservation to give back unused. */
export interface Unused {
  deploymentId: string;
  reservationId: string;
}
