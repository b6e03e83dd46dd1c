// Priority tiers (`litellm_params.order`): a lower tier is used while any of its deployments is available.
import type { Candidate } from './types.ts';

/**
 * Split candidates into tiers by ascending `order`, keeping their relative order inside each tier.
 * Deployments without `order` form the last tier: LiteLLM keeps only the minimum order among healthy
 * deployments, so unordered ones are used only once every ordered one is unavailable.
 */
export function splitByOrder(candidates: readonly Candidate[]): Candidate[][] {
  const tiers = new Map<number, Candidate[]>();
  for (const c of candidates) {
    const order = c.deployment.order ?? Infinity;
    const tier = tiers.get(order);
    if (tier) tier.push(c);
    else tiers.set(order, [c]);
  }
  return [...tiers.keys()].sort((a, b) => a - b).map((order) => tiers.get(order)!);
}
