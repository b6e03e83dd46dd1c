// The one routing-strategy interface (Hono's Router idea): rank candidates, Redis enforces the limits.
import type { Deployment } from '../config/types.ts';

/** What Redis last told us about a deployment (a snapshot; limits themselves are enforced in Lua). */
export interface DeploymentState {
  id: string;
  /** Requests currently in flight across all workers. */
  inflight: number;
  /** Requests / tokens in the trailing 60 s window. */
  rpmUsed: number;
  tpmUsed: number;
  /** Average latency (ms) of recent successes; per output token when the endpoint returns tokens. */
  latencyMs?: number;
  /** Epoch ms of the last latency sample (strategies ignore samples older than their ttl). */
  latencyAtMs?: number;
  /** Epoch ms until which the deployment is cooling down (0 when it is not). */
  cooldownUntilMs: number;
}

export interface Candidate {
  deployment: Deployment;
  /** Absent when no snapshot is known yet (treat as idle). */
  state?: DeploymentState;
}

export interface RouteContext {
  /** Estimated tokens of this request (prompt + expected completion). */
  estimatedTokens: number;
  /** Job metadata tags (tag routing filters before ranking). */
  tags?: string[];
  /** The caller's User-Agent (job `metadata.user_agent`), for deployments' `tag_regex`. */
  userAgent?: string;
  nowMs: number;
  /** Injected so tests are deterministic. */
  random: () => number;
  /** routing_strategy_args from the config. */
  args: Record<string, unknown>;
}

export interface RoutingStrategy {
  readonly name: string;
  /**
   * Order candidates best first. Must be O(n log n) or better in the number of candidates, must not
   * drop candidates (the Lua reserve script skips those at their limits and takes the next one).
   */
  rank(candidates: readonly Candidate[], ctx: RouteContext): Candidate[];
  /**
   * `false` when rank() reads only the config, never `state`: the router then ranks on whatever snapshot
   * it holds instead of waiting for a fresh one (the reserve script checks cooldowns and limits itself,
   * so a stale snapshot only changes where a cooling deployment sorts). @defaultValue true
   */
  readonly readsState?: boolean;
}
