// Tag-based routing (LiteLLM §2.7, match_any, and `tag_regex`): a filter applied before ranking, never a strategy.
import type { Deployment } from '../config/types.ts';
import { MAX_USER_AGENT_CHARS } from '../contract/metadata.ts';
import { SwitchyardError } from '../errors/taxonomy.ts';

const DEFAULT_TAG = 'default';

function hasTag(deployment: Deployment, tag: string): boolean {
  return deployment.tags.includes(tag);
}

/**
 * - A deployment matches a request when they share a tag, or when one of its `tag_regex` patterns matches
 *   `User-Agent: <user agent>` (LiteLLM's string, so its `^User-Agent: claude-code/` works unchanged; `search`
 *   semantics: unanchored unless the pattern anchors). Matching deployments are the candidates.
 * - None match, tagged request: those tagged `default`; if none are, a BadRequestError (LiteLLM raises "Not
 *   allowed to access model due to tags configuration"): retrying cannot change the tags, so it is not
 *   retried, and the caller sees why.
 * - None match, untagged request (whatever its User-Agent): those tagged `default` when there are any, else
 *   all — a User-Agent no pattern matches routes as if there were none.
 * LiteLLM applies this only with `enable_tag_filtering`; Switchyard always does, which changes nothing for
 * configs that neither tag requests nor tag a deployment `default` nor set `tag_regex`.
 */
export function filterByTags(
  deployments: readonly Deployment[],
  tags: readonly string[] | undefined,
  userAgent?: string,
): Deployment[] {
  const wanted = tags && tags.length > 0 ? new Set(tags) : undefined;
  const header = userAgent ? `User-Agent: ${userAgent.slice(0, MAX_USER_AGENT_CHARS)}` : undefined;
  if (wanted || header !== undefined) {
    const matching = deployments.filter(
      (d) =>
        (wanted !== undefined && d.tags.some((t) => wanted.has(t))) ||
        (header !== undefined && d.tagRegex?.some((r) => r.test(header)) === true),
    );
    if (matching.length > 0) return matching;
  }
  const defaults = deployments.filter((d) => hasTag(d, DEFAULT_TAG));
  if (defaults.length > 0) return defaults;
  if (!wanted) return [...deployments];
  const group = deployments[0]?.modelGroup ?? '';
  throw new SwitchyardError(
    'BadRequestError',
    `Not allowed to access model due to tags configuration. Passed model=${group}, tags=${JSON.stringify(tags)}`,
  );
}
