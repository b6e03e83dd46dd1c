// Stable deployment ids: every worker computes the same id from the same config, which shared Redis state needs.
import { createHash } from 'node:crypto';
import { isEnvRef } from './env.ts';
import { isMapping } from './is-mapping.ts';
import { isSecretParam } from './secret-params.ts';

/** JSON with object keys sorted at every level, so key order in the YAML never changes an id. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isMapping(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * `model_info.id` when given (numbers become strings, as in LiteLLM); else SHA-256 hex of model_name plus
 * the canonical litellm_params. Pass the params *unresolved*: `os.environ/NAME` references are hashed as
 * written, and a secret written literally is replaced by a placeholder, so secrets never shape an id and
 * rotating a key keeps the deployment's state.
 */
export function deploymentId(
  modelName: string,
  litellmParams: Readonly<Record<string, unknown>>,
  explicitId?: string | number,
): string {
  if (explicitId !== undefined) return String(explicitId);
  const hashed = Object.fromEntries(
    Object.entries(litellmParams).map(([key, value]) => [
      key,
      isSecretParam(key) && !isEnvRef(value) ? '<secret>' : value,
    ]),
  );
  return createHash('sha256').update(modelName).update(canonicalJson(hashed)).digest('hex');
}
