// Usage totals (LiteLLM's get_usage_stats / print_deployment_metrics): what one call adds, how totals add up,
// latency percentiles from a fixed histogram, and which time buckets answer "since".
import type { ErrorType } from '../errors/taxonomy.ts';

/** What totals are kept per: a deployment (`model_id`), a model group, a request tag, a gateway key. */
export const USAGE_DIMENSIONS = ['deployment', 'group', 'tag', 'key'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

/** Upper bounds (ms) of the latency histogram's buckets; one more bucket holds everything slower. */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000,
];

export interface UsageTotals {
  /** Provider calls made (each attempt that reached a provider). */
  requests: number;
  successes: number;
  /** Failed calls by taxonomy type. */
  failures: Partial<Record<ErrorType, number>>;
  promptTokens: number;
  completionTokens: number;
  /** USD at the deployment's prices. */
  cost: number;
  /** Count of calls per latency bucket (LATENCY_BOUNDS_MS, then the overflow bucket). */
  latency: number[];
}

/** One settled call as the totals see it. */
export interface UsageCall {
  ok: boolean;
  errorType?: ErrorType | undefined;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  latencyMs: number;
}

export function emptyTotals(): UsageTotals {
  return {
    requests: 0,
    successes: 0,
    failures: {},
    promptTokens: 0,
    completionTokens: 0,
    cost: 0,
    latency: new Array(LATENCY_BOUNDS_MS.length + 1).fill(0),
  };
}

export function latencyBucket(ms: number): number {
  const i = LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return i < 0 ? LATENCY_BOUNDS_MS.length : i;
}

export function addCall(t: UsageTotals, call: UsageCall): void {
  t.requests += 1;
  if (call.ok) t.successes += 1;
  else {
    const type = call.errorType ?? 'InternalServerError';
    t.failures[type] = (t.failures[type] ?? 0) + 1;
  }
  t.promptTokens += call.promptTokens;
  t.completionTokens += call.completionTokens;
  t.cost += call.cost;
  t.latency[latencyBucket(call.latencyMs)]! += 1;
}

export function addTotals(into: UsageTotals, more: UsageTotals): void {
  into.requests += more.requests;
  into.successes += more.successes;
  for (const [type, n] of Object.entries(more.failures) as [ErrorType, number][]) {
    into.failures[type] = (into.failures[type] ?? 0) + n;
  }
  into.promptTokens += more.promptTokens;
  into.completionTokens += more.completionTokens;
  into.cost += more.cost;
  more.latency.forEach((n, i) => {
    into.latency[i] = (into.latency[i] ?? 0) + n;
  });
}

/**
 * The latency at quantile q (0..1): the upper bound of the bucket holding that call, so "p95 ≤ 250 ms".
 * Calls slower than the last bound report that bound. Undefined without calls.
 */
export function latencyPercentile(histogram: readonly number[], q: number): number | undefined {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i] ?? 0;
    if (seen >= rank) return LATENCY_BOUNDS_MS[Math.min(i, LATENCY_BOUNDS_MS.length - 1)];
  }
  return LATENCY_BOUNDS_MS.at(-1);
}

/** Bucket sizes, each kept long enough for the spans it answers. */
export const USAGE_GRANULARITIES = [
  { name: 'minute', ms: 60_000, ttlMs: 3 * 3_600_000, spanMs: 2 * 3_600_000 },
  { name: 'hour', ms: 3_600_000, ttlMs: 3 * 86_400_000, spanMs: 2 * 86_400_000 },
  { name: 'day', ms: 86_400_000, ttlMs: 40 * 86_400_000, spanMs: 35 * 86_400_000 },
] as const;
export type UsageGranularity = (typeof USAGE_GRANULARITIES)[number];

/** The finest granularity whose buckets still cover `sinceMs` back from now (coarser ones live longer). */
export function granularityFor(sinceMs: number): UsageGranularity {
  return USAGE_GRANULARITIES.find((g) => sinceMs <= g.spanMs) ?? USAGE_GRANULARITIES[2];
}

/** Start times of the buckets that hold `[now - sinceMs, now]` (the first one may start a little earlier). */
export function bucketStarts(nowMs: number, sinceMs: number, g: UsageGranularity): number[] {
  const first = Math.floor((nowMs - sinceMs) / g.ms) * g.ms;
  const out: number[] = [];
  for (let t = first; t <= nowMs; t += g.ms) out.push(t);
  return out;
}

/** One line of `switchyard usage` / `GET /usage` / `getUsageStats()`. */
export interface UsageRow {
  /** The deployment id, group, tag or key hash. */
  id: string;
  requests: number;
  successes: number;
  failures: Partial<Record<ErrorType, number>>;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
  /** Upper bound of the histogram bucket holding the median / 95th percentile call, in ms. */
  latencyP50Ms?: number;
  latencyP95Ms?: number;
}

/** Totals per id as rows, the most requested first. */
export function usageRows(byId: ReadonlyMap<string, UsageTotals>): UsageRow[] {
  return [...byId]
    .map(([id, t]) => {
      const row: UsageRow = {
        id,
        requests: t.requests,
        successes: t.successes,
        failures: t.failures,
        promptTokens: t.promptTokens,
        completionTokens: t.completionTokens,
        totalTokens: t.promptTokens + t.completionTokens,
        cost: t.cost,
      };
      const p50 = latencyPercentile(t.latency, 0.5);
      const p95 = latencyPercentile(t.latency, 0.95);
      if (p50 !== undefined) row.latencyP50Ms = p50;
      if (p95 !== undefined) row.latencyP95Ms = p95;
      return row;
    })
    .sort((a, b) => b.requests - a.requests || a.id.localeCompare(b.id));
}
