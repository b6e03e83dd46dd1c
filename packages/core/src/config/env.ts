// LiteLLM's `os.environ/NAME` secret references, resolved from an injectable environment.
import type { ConfigIssue } from './config-error.ts';
import { isMapping } from './is-mapping.ts';
import { childPath } from './path.ts';

export type Env = Readonly<Record<string, string | undefined>>;

const ENV_PREFIX = 'os.environ/';

export function isEnvRef(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ENV_PREFIX);
}

/** Deep copy of `value` with every `os.environ/NAME` string replaced; an unset or empty NAME is an issue. */
export function resolveEnvRefs(value: unknown, path: string, env: Env, issues: ConfigIssue[]): unknown {
  if (isEnvRef(value)) {
    const name = value.slice(ENV_PREFIX.length);
    const resolved = env[name];
    if (resolved === undefined || resolved === '') {
      issues.push({ path, message: `environment variable ${name} is not set` });
      return value;
    }
    return resolved;
  }
  if (Array.isArray(value))
    return value.map((item, index) => resolveEnvRefs(item, childPath(path, index), env, issues));
  if (isMapping(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        resolveEnvRefs(item, childPath(path, key), env, issues),
      ]),
    );
  }
  return value;
}

/**
 * Resolves only the listed top-level keys of a mapping. Keys Switchyard ignores (redis_host, aws_*, …) keep
 * their references, so an unset variable that only an ignored key uses never blocks a worker from starting.
 */
export function resolveEnvRefsOf(
  value: unknown,
  keys: ReadonlySet<string>,
  path: string,
  env: Env,
  issues: ConfigIssue[],
): unknown {
  if (!isMapping(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      keys.has(key) ? resolveEnvRefs(item, childPath(path, key), env, issues) : item,
    ]),
  );
}

/**
 * LiteLLM's top-level `environment_variables`: set before any `os.environ/` reference is read, over the
 * process's own values. A value may itself be `os.environ/NAME` (read from `base`; unset: the key stays unset,
 * as LiteLLM skips it). Kept in a Map so a config dump never prints the values; process.env is never touched.
 */
export function environmentOverlay(
  raw: Record<string, unknown> | undefined,
  base: Env,
  issues: ConfigIssue[],
  warnings: string[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(raw ?? {})) {
    const path = childPath('environment_variables', key);
    if (isEnvRef(value)) {
      const name = value.slice(ENV_PREFIX.length);
      const resolved = base[name];
      if (resolved === undefined || resolved === '')
        warnings.push(
          `${path}: environment variable ${name} is not set; ${key} left as the environment has it`,
        );
      else out.set(key, resolved);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out.set(key, String(value));
    } else {
      issues.push({ path, message: 'expected a string, number or boolean' });
    }
  }
  return out;
}

/** `base` with the overlay's values on top (a new object; `base` is unchanged). */
export function withOverlay(base: Env, overlay: ReadonlyMap<string, string> | undefined): Env {
  if (overlay === undefined || overlay.size === 0) return base;
  return { ...base, ...Object.fromEntries(overlay) };
}
