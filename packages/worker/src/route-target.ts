// A routing target is a group, an alias, or (as a fallback) one deployment id — LiteLLM accepts all three.
import { type Deployment, resolveGroup, type SwitchyardConfig } from '@switchyard/core';

export interface RouteTarget {
  /** The group whose Redis keys hold the deployments' counters. */
  group: string;
  deployments: readonly Deployment[];
}

export function createTargetResolver(
  config: SwitchyardConfig,
  groups: ReadonlyMap<string, readonly Deployment[]>,
) {
  const byId = new Map(config.deployments.map((d) => [d.id, d]));
  return (name: string): RouteTarget | undefined => {
    const group = resolveGroup(config, name) ?? name;
    const deployments = groups.get(group);
    if (deployments) return { group, deployments };
    const single = byId.get(name);
    return single ? { group: single.modelGroup, deployments: [single] } : undefined;
  };
}
