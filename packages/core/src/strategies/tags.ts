// Tag-based routing (LiteLLM §2.7, match_any): a filter applied before ranking, never a strategy.
import type { Deployment } from '../config/types.ts';
import { SwitchyardError } from '../errors/taxonomy.ts';

const DEFAULT_TAG = 'default';

function hasTag(deployment: Deployment, tag: string): boolean {
  return deployment.tags.includes(tag);
}

/**
 * - Tagged request: the deployments sharing at least one tag with it; if none do, those tagged
 *   `default`; if none are, a BadRequestError (LiteLLM raises "Not allowed to access model due to tags
 *   configuration"): retrying cannot change the tags, so it is not retried, and the caller sees why.
 * - Untagged request: the deployments tagged `default` when there are any, else all.
 * LiteLLM applies this only with `enable_tag_filtering`; Switchyard always does, which changes nothing
 * for configs that neither tag requests nor tag a deployment `default`.
 */
export function filterByTags(
  deployments: readonly Deployment[],
  tags: readonly string[] | undefined,
): Deployment[] {
  if (tags && tags.length > 0) {
    const wanted = new Set(tags);
    const matching = deployments.filter((d) => d.tags.some((t) => wanted.has(t)));
    if (matching.length > 0) return matching;
    const defaults = deployments.filter((d) => hasTag(d, DEFAULT_TAG));
    if (defaults.length > 0) return defaults;
    const group = deployments[0]?.modelGroup ?? '';
    throw new SwitchyardError(
      'BadRequestError',
      `Not allowed to access model due to tags configuration. Passed model=${group}, tags=${JSON.stringify(tags)}`,
    );
  }
  const defaults = deployments.filter((d) => hasTag(d, DEFAULT_TAG));
  return defaults.length > 0 ? defaults : [...deployments];
}
