// Cross references between settings and model_list: every name a setting mentions must exist.
import type { ConfigIssue } from './config-error.ts';

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

export function checkName(
  name: string,
  role: NameRole,
  path: string,
  known: KnownNames | undefined,
  issues: ConfigIssue[],
): void {
  if (known === undefined) return;
  if (known.groups.has(name)) return;
  if (role !== 'group' && known.aliases.has(name)) return;
  if (role === 'target' && known.deploymentIds.has(name)) return;
  if (role === 'source' && name === '*') return;
  const accepted =
    role === 'target'
      ? 'model group, alias or deployment id'
      : role === 'source'
        ? 'model group or alias'
        : 'model group';
  issues.push({ path, message: `no ${accepted} named "${name}" in model_list` });
}
