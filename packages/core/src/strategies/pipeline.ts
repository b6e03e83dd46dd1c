// The candidate list a worker hands to the Lua reserve script: filter by tags, rank, tiers, cooldowns last.
import type { Deployment } from '../config/types.ts';
import { splitByOrder } from './order-tiers.ts';
import { filterByTags } from './tags.ts';
import type { Candidate, DeploymentState, RouteContext, RoutingStrategy } from './types.ts';

/**
 * Deployments best first, for Lua to take the first one with free capacity:
 * 1. tag filter (`filterByTags`: tags and `tag_regex`; may throw BadRequestError when tags match nothing);
 * 2. each `order` tier ranked by the strategy, tiers concatenated lowest first (unordered last) — so
 *    relative strategies such as the latency buffer compare within a tier;
 * 3. deployments cooling down per the snapshot moved to the end, stable (Lua re-checks the real state).
 * Never drops a candidate beyond the tag filter. O(n log n).
 */
export function orderCandidates(
  deployments: readonly Deployment[],
  states: ReadonlyMap<string, DeploymentState>,
  strategy: RoutingStrategy,
  ctx: RouteContext,
): Deployment[] {
  const candidates: Candidate[] = filterByTags(deployments, ctx.tags, ctx.userAgent).map((deployment) => {
    const state = states.get(deployment.id);
    return state === undefined ? { deployment } : { deployment, state };
  });
  const ready: Deployment[] = [];
  const cooling: Deployment[] = [];
  for (const tier of splitByOrder(candidates)) {
    for (const c of strategy.rank(tier, ctx)) {
      if (c.state !== undefined && c.state.cooldownUntilMs > ctx.nowMs) cooling.push(c.deployment);
      else ready.push(c.deployment);
    }
  }
  return cooling.length === 0 ? ready : ready.concat(cooling);
}
