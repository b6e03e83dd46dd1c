// Lookups over a loaded config: which deployments serve a group, and which group a requested name means.
import type { Deployment, SwitchyardConfig } from './types.ts';

/** Deployments by model group, in model_list order. Compute once per config, not per request. */
export function groupsOf(config: SwitchyardConfig): Map<string, Deployment[]> {
  const groups = new Map<string, Deployment[]>();
  for (const deployment of config.deployments) {
    const members = groups.get(deployment.modelGroup);
    if (members === undefined) groups.set(deployment.modelGroup, [deployment]);
    else members.push(deployment);
  }
  return groups;
}

/** An alias resolves to its group (aliases win over groups, as in LiteLLM); a group is itself; else undefined. */
export function resolveGroup(config: SwitchyardConfig, name: string): string | undefined {
  if (Object.hasOwn(config.router.modelGroupAlias, name)) return config.router.modelGroupAlias[name];
  return config.deployments.some((deployment) => deployment.modelGroup === name) ? name : undefined;
}
