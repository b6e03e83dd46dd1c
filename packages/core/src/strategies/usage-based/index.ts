// LiteLLM `usage-based-routing` v1 and v2 (§2.3, §2.4): the least-used deployment of the trailing minute first.
import type { Candidate, RouteContext, RoutingStrategy } from '../types.ts';

/**
 * True when this request would push the deployment over its tpm or rpm limit. We use `>` for both
 * (a deployment may take its rpm-th request); LiteLLM v2's `rpm + 1 >= rpm_limit` excluded it one
 * request early (#33032). The Lua reserve script enforces the same rule exactly.
 */
export function wouldExceedLimits(candidate: Candidate, estimatedTokens: number): boolean {
  const { deployment, state } = candidate;
  const tpmUsed = state?.tpmUsed ?? 0;
  const rpmUsed = state?.rpmUsed ?? 0;
  if (deployment.tpm !== undefined && tpmUsed + estimatedTokens > deployment.tpm) return true;
  return deployment.rpm !== undefined && rpmUsed + 1 > deployment.rpm;
}

function rankByUsage(name: string): RoutingStrategy {
  return {
    name,
    rank(candidates, ctx: RouteContext) {
      // Decorate once so the comparator does no lookups: O(n log n) with constant work per comparison.
      const keyed = candidates.map((candidate) => ({
        candidate,
        full: wouldExceedLimits(candidate, ctx.estimatedTokens),
        tpm: candidate.state?.tpmUsed ?? 0,
        rpm: candidate.state?.rpmUsed ?? 0,
        tie: ctx.random(),
      }));
      keyed.sort((a, b) => {
        if (a.full !== b.full) return a.full ? 1 : -1;
        if (a.tpm !== b.tpm) return a.tpm - b.tpm;
        if (a.rpm !== b.rpm) return a.rpm - b.rpm;
        return a.tie - b.tie;
      });
      return keyed.map((k) => k.candidate);
    },
  };
}

/**
 * Lowest TPM usage first, then lowest RPM usage, then random. Deployments this request would push over
 * a limit go last (never dropped: Lua skips them and the snapshot may be up to ~250 ms old).
 * v1 and v2 differ in LiteLLM only in where the counters live; here both read Redis's sliding windows.
 */
export const usageBased: RoutingStrategy = rankByUsage('usage-based-routing');
export const usageBasedV2: RoutingStrategy = rankByUsage('usage-based-routing-v2');
