// LiteLLM `latency-based-routing` (§2.5) over Redis's shared latency averages.
//
// What the numbers mean: the worker records one sample per success — for chat.completions and
// completions with completion_tokens > 0 it is milliseconds per output token (LiteLLM's per-token
// normalisation, so long answers do not look slow), otherwise (embeddings, empty completions) whole-call
// milliseconds. `DeploymentState.latencyMs` is their recent average and `latencyAtMs` the newest sample.
//
// routing_strategy_args:
// - `lowest_latency_buffer` (default 0): every deployment within (1 + buffer) × the best latency is
//   shuffled together with the best, spreading load instead of piling onto one (LiteLLM).
// - `ttl` (seconds, default 3600): a sample older than this counts as unknown.
import { nonNegativeNumberArg } from '../args.ts';
import type { Candidate, RouteContext, RoutingStrategy } from '../types.ts';

const DEFAULT_TTL_SEC = 3600;

/** The candidate's usable latency, or undefined when it has no sample or the sample is older than ttl. */
function freshLatency(candidate: Candidate, nowMs: number, ttlMs: number): number | undefined {
  const latency = candidate.state?.latencyMs;
  if (latency === undefined || !Number.isFinite(latency)) return undefined;
  const at = candidate.state?.latencyAtMs;
  // A sample without a timestamp cannot age out; trust it rather than explore forever.
  if (at !== undefined && nowMs - at > ttlMs) return undefined;
  return latency;
}

/**
 * Order: deployments with unknown latency first (exploration — LiteLLM scores them 0), then those within
 * the buffer of the best, all in random order; then the rest by ascending latency (random among equals).
 */
export const latencyBased: RoutingStrategy = {
  name: 'latency-based-routing',
  rank(candidates, ctx: RouteContext) {
    const buffer = nonNegativeNumberArg(ctx.args, 'lowest_latency_buffer', 0);
    const ttlMs = nonNegativeNumberArg(ctx.args, 'ttl', DEFAULT_TTL_SEC) * 1000;
    const keyed = candidates.map((candidate) => ({
      candidate,
      latency: freshLatency(candidate, ctx.nowMs, ttlMs),
      band: 0,
      tie: ctx.random(),
    }));
    let best = Infinity;
    for (const k of keyed) if (k.latency !== undefined && k.latency < best) best = k.latency;
    const threshold = best + buffer * best;
    // band 0 = unknown, 1 = within the buffer of the best (shuffled), 2 = the rest (by latency).
    for (const k of keyed) k.band = k.latency === undefined ? 0 : k.latency <= threshold ? 1 : 2;
    keyed.sort((a, b) => {
      if (a.band !== b.band) return a.band - b.band;
      if (a.band === 2 && a.latency !== b.latency) return (a.latency ?? 0) - (b.latency ?? 0);
      return a.tie - b.tie;
    });
    return keyed.map((k) => k.candidate);
  },
};
