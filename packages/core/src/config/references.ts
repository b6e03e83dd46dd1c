// Cross references between settings and model_list. A name that matches nothing is warned about and the
// reference dropped: LiteLLM's own documented examples name groups they never define, and they must load.

export interface KnownNames {
  groups: ReadonlySet<string>;
  aliases: ReadonlySet<string>;
  deploymentIds: ReadonlySet<string>;
}

/**
 * `target` names a fallback: a group, an alias, or a deployment id (LiteLLM documents "fallback to a specific
 * model id"; that deployment is then called directly).
 */
export type NameRole = 'group' | 'source' | 'target';

/** True when `name` resolves (or nothing is known to check against); else a warning naming `path`. */
export function checkName(
  name: string,
  role: NameRole,
  path: string,
  known: KnownNames | undefined,
  warnings: string[],
): boolean {
  if (known === undefined) return true;
  if (known.groups.has(name)) return true;
  if (role !== 'group' && known.aliases.has(name)) return true;
  if (role === 'target' && known.deploymentIds.has(name)) return true;
  if (role === 'source' && name === '*') return true;
  const accepted =
    role === 'target'
      ? 'model group, alias or deployment id'
      : role === 'source'
        ? 'model group or alias'
        : 'model group';
  warnings.push(`${path}: no ${accepted} named "${name}" in model_list; ignored`);
  return false;
}
