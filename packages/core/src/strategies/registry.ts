// Name → strategy, the one place `router_settings.routing_strategy` is interpreted.
import type { RouterSettings, RoutingStrategyName } from '../config/types.ts';
import { costBased } from './cost-based/index.ts';
import { latencyBased } from './latency-based/index.ts';
import { leastBusy } from './least-busy/index.ts';
import { simpleShuffle } from './simple-shuffle/index.ts';
import type { RoutingStrategy } from './types.ts';
import { usageBased, usageBasedV2 } from './usage-based/index.ts';

const STRATEGIES: Readonly<Record<RoutingStrategyName, RoutingStrategy>> = {
  'simple-shuffle': simpleShuffle,
  'least-busy': leastBusy,
  'usage-based-routing': usageBased,
  'usage-based-routing-v2': usageBasedV2,
  'latency-based-routing': latencyBased,
  'cost-based-routing': costBased,
};

/** The strategy for `name`; a loaded custom strategy overrides it (LiteLLM `custom_routing_strategy`). */
export function createStrategy(name: RoutingStrategyName, custom?: RoutingStrategy): RoutingStrategy {
  if (custom) return custom;
  const strategy = STRATEGIES[name];
  if (!strategy) {
    throw new TypeError(
      `routing_strategy: unknown strategy ${JSON.stringify(name)}; expected one of ${Object.keys(STRATEGIES).join(', ')}`,
    );
  }
  return strategy;
}

/**
 * The strategy of each group: `model_group_routing_strategy[group]`, else the custom module, else
 * `routing_strategy`. Resolved once per group name, so the hot path is a map lookup.
 */
export function strategyResolver(
  settings: Pick<RouterSettings, 'routingStrategy' | 'modelGroupRoutingStrategy'>,
  custom?: RoutingStrategy,
): (group: string) => RoutingStrategy {
  const fallback = createStrategy(settings.routingStrategy, custom);
  const perGroup = new Map<string, RoutingStrategy>();
  for (const [group, name] of Object.entries(settings.modelGroupRoutingStrategy ?? {}))
    perGroup.set(group, createStrategy(name));
  return (group) => perGroup.get(group) ?? fallback;
}
