// LiteLLM's fallback lists (`[{gpt-4: [gpt-3.5]}, …]`) → one FallbackMap, checked against model_list.
import type { ConfigIssue } from './config-error.ts';
import { childPath } from './path.ts';
import { checkName, type KnownNames } from './references.ts';
import type { FallbackMap } from './types.ts';

/**
 * Items are already shape-checked (one key each, string lists); this merges them and checks names. A source
 * or target matching nothing is warned about and left out, so it never applies.
 */
export function toFallbackMap(
  items: readonly Readonly<Record<string, string[]>>[] | undefined,
  path: string,
  issues: ConfigIssue[],
  warnings: string[],
  known?: KnownNames,
): FallbackMap {
  const map: FallbackMap = {};
  const seenAt = new Map<string, string>();
  (items ?? []).forEach((item, index) => {
    for (const [group, targets] of Object.entries(item)) {
      const itemPath = childPath(childPath(path, index), group);
      const earlier = seenAt.get(group);
      if (earlier !== undefined) {
        issues.push({ path: itemPath, message: `fallbacks for "${group}" are already given at ${earlier}` });
        continue;
      }
      seenAt.set(group, itemPath);
      if (!checkName(group, 'source', childPath(path, index), known, warnings)) continue;
      map[group] = targets.filter((target, targetIndex) =>
        checkName(target, 'target', childPath(itemPath, targetIndex), known, warnings),
      );
    }
  });
  return map;
}

/** Names of a plain list (default_fallbacks, the plain `fallbacks` form) that resolve; others warned. */
export function knownTargets(
  names: readonly string[],
  path: string,
  warnings: string[],
  known?: KnownNames,
): string[] {
  return names.filter((name, index) => checkName(name, 'target', childPath(path, index), known, warnings));
}
