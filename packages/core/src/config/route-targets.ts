// What a requested `model` names: a pinned deployment (specific_deployment), an alias, a group, a deployment
// id, or a wildcard group (`openai/*`, `anthropic/*`, `*`) that serves any model of its provider.
import { groupsOf, resolveGroup } from './groups.ts';
import type { Deployment, SwitchyardConfig } from './types.ts';

export interface RouteTarget {
  /** The group whose Redis keys hold the deployments' counters (a wildcard's own model_name). */
  group: string;
  deployments: readonly Deployment[];
}

/** Concrete wildcard deployments kept per requested name; names come from callers, so the map is bounded. */
const MAX_CONCRETE_NAMES = 1000;

interface Pattern {
  group: string;
  regex: RegExp;
  deployments: readonly Deployment[];
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Wildcard groups, most specific (longest literal text) first, as LiteLLM's pattern router orders them. */
function patternsOf(groups: ReadonlyMap<string, readonly Deployment[]>): Pattern[] {
  return [...groups]
    .filter(([group]) => group.includes('*'))
    .map(([group, deployments]) => ({
      group,
      regex: new RegExp(`^${group.split('*').map(escapeRegex).join('(.+)')}$`),
      deployments,
    }))
    .sort((a, b) => b.group.replaceAll('*', '').length - a.group.replaceAll('*', '').length);
}

/**
 * The deployment with each `*` of its provider model replaced by what the request's `*` matched. A bare `*`
 * deployment serves the name's own provider (`anthropic/claude-…`, bare `claude-…`), as LiteLLM infers it.
 */
export function concreteDeployment(deployment: Deployment, captured: readonly string[]): Deployment {
  if (!deployment.model.includes('*')) return deployment;
  if (deployment.passThrough) return passedThrough(deployment, captured.join(''));
  let i = 0;
  const model = deployment.model.replace(/\*/g, () => captured[Math.min(i++, captured.length - 1)] ?? '');
  const litellmModel = deployment.litellmModel.endsWith(deployment.model)
    ? deployment.litellmModel.slice(0, -deployment.model.length) + model
    : deployment.litellmModel;
  return { ...deployment, model, litellmModel };
}

function passedThrough(deployment: Deployment, name: string): Deployment {
  const slash = name.indexOf('/');
  const prefix = slash > 0 ? name.slice(0, slash) : name.startsWith('claude') ? 'anthropic' : 'openai';
  const target = deployment.passThrough?.[prefix];
  if (!target) return { ...deployment, model: name, litellmModel: name };
  const { passThrough: _all, apiKey: _key, apiVersion: _version, ...rest } = deployment;
  const out: Deployment = {
    ...rest,
    provider: target.provider,
    model: slash > 0 ? name.slice(slash + 1) : name,
    litellmModel: name,
    apiBase: target.apiBase,
  };
  if (target.apiKey !== undefined) out.apiKey = target.apiKey;
  if (target.apiVersion !== undefined) out.apiVersion = target.apiVersion;
  return out;
}

/**
 * Resolution order: with `specificDeployment`, deployments whose `litellm_params.model` (or id) is the name
 * (LiteLLM's `specific_deployment=True`); else an alias, a group, a deployment id, then wildcard groups.
 */
export function createRouteResolver(
  config: SwitchyardConfig,
  groups: ReadonlyMap<string, readonly Deployment[]> = groupsOf(config),
): (name: string, specificDeployment?: boolean) => RouteTarget | undefined {
  const byId = new Map(config.deployments.map((d) => [d.id, d]));
  const patterns = patternsOf(groups);
  const concrete = new Map<string, RouteTarget>();
  return (name, specificDeployment = false) => {
    if (specificDeployment) {
      const pinned = config.deployments.filter((d) => d.litellmModel === name || d.id === name);
      return pinned.length > 0 ? { group: pinned[0]!.modelGroup, deployments: pinned } : undefined;
    }
    const group = resolveGroup(config, name) ?? name;
    const deployments = groups.get(group);
    if (deployments) return { group, deployments };
    const single = byId.get(name);
    if (single) return { group: single.modelGroup, deployments: [single] };
    const known = concrete.get(name);
    if (known) return known;
    for (const pattern of patterns) {
      const match = pattern.regex.exec(name);
      if (!match) continue;
      const target = {
        group: pattern.group,
        deployments: pattern.deployments.map((d) => concreteDeployment(d, match.slice(1))),
      };
      if (concrete.size >= MAX_CONCRETE_NAMES) concrete.clear();
      concrete.set(name, target);
      return target;
    }
    return undefined;
  };
}

/** The group whose cached answers `group` shares (`caching_groups`: each list's first name), else itself. */
export function cacheGroupOf(cacheGroups: readonly (readonly string[])[], group: string): string {
  return cacheGroups.find((list) => list.includes(group))?.[0] ?? group;
}
