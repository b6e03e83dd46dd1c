// `router_settings` + `litellm_settings` → RouterSettings with LiteLLM's defaults; router_settings wins per key.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigIssue } from './config-error.ts';
import { type Env, resolveEnvRefsOf } from './env.ts';
import { toFallbackMap } from './fallbacks.ts';
import { childPath } from './path.ts';
import { checkName, type KnownNames } from './references.ts';
import { normaliseAllowedFailsPolicy, normaliseRetryPolicy } from './retry-policy.ts';
import { RESOLVED_ROUTER_KEYS, type RouterSettingsInput, routerSettingsSchema } from './schema.ts';
import type { RetryPolicy, RouterSettings } from './types.ts';
import { collectUnsupportedKeys } from './unsupported-keys.ts';
import { parseInto } from './validate.ts';

export const ROUTER_DEFAULTS = {
  routingStrategy: 'simple-shuffle',
  numRetries: 2,
  retryAfterSec: 0,
  allowedFails: 3,
  cooldownTimeSec: 5,
  maxFallbacks: 5,
  // LiteLLM's default is 6000 s; a queued job holding a worker slot for 100 minutes helps nobody, so we use
  // 600 s, the OpenAI SDK's default request timeout.
  timeoutSec: 600,
} as const;

/** LiteLLM's `default_cache_time_seconds` (1 h) when `cache_params.ttl` is not given. */
const DEFAULT_CACHE_TTL_SEC = 3600;

export interface SettingsSection {
  /** `router_settings` or `litellm_settings`. */
  name: string;
  raw: unknown;
}

export interface RouterSettingsContext {
  env: Env;
  baseDir: string;
  issues: ConfigIssue[];
  warnings: string[];
  /** Names from model_list; undefined skips reference checks (model_list already had errors). */
  known: Omit<KnownNames, 'aliases'> | undefined;
}

type Key = keyof RouterSettingsInput;
interface Picked<K extends Key> {
  value: NonNullable<RouterSettingsInput[K]>;
  path: string;
}

/** Sections in increasing precedence: later sections win. */
export function buildRouterSettings(
  sections: readonly SettingsSection[],
  ctx: RouterSettingsContext,
): RouterSettings {
  const parsed: { name: string; data: RouterSettingsInput }[] = [];
  for (const section of sections) {
    if (section.raw === undefined) continue;
    const resolved = resolveEnvRefsOf(section.raw, RESOLVED_ROUTER_KEYS, section.name, ctx.env, ctx.issues);
    collectUnsupportedKeys(routerSettingsSchema, resolved, section.name, ctx.warnings);
    const data = parseInto(routerSettingsSchema, resolved, section.name, ctx.issues);
    if (data !== undefined) parsed.push({ name: section.name, data });
  }
  const pick = <K extends Key>(...keys: K[]): Picked<K> | undefined => {
    for (let i = parsed.length - 1; i >= 0; i--) {
      const { name, data } = parsed[i]!;
      for (const key of keys) {
        const value = data[key];
        if (value !== undefined && value !== null)
          return { value: value as Picked<K>['value'], path: childPath(name, key) };
      }
    }
    return undefined;
  };

  const aliasPick = pick('model_group_alias');
  const known = ctx.known && { ...ctx.known, aliases: new Set(Object.keys(aliasPick?.value ?? {})) };
  const modelGroupAlias: Record<string, string> = {};
  for (const [alias, target] of Object.entries(aliasPick?.value ?? {})) {
    const group = typeof target === 'string' ? target : target.model;
    const aliasPath = childPath(aliasPick!.path, alias);
    checkName(group, 'group', aliasPath, known, ctx.issues);
    if (ctx.known?.groups.has(alias))
      ctx.warnings.push(`${aliasPath}: alias shadows the model group of the same name`);
    modelGroupAlias[alias] = group;
  }

  const groupPolicies = pick('model_group_retry_policy');
  const modelGroupRetryPolicy: Record<string, RetryPolicy> = {};
  for (const [group, policy] of Object.entries(groupPolicies?.value ?? {})) {
    const policyPath = childPath(groupPolicies!.path, group);
    checkName(group, 'group', policyPath, known, ctx.issues);
    modelGroupRetryPolicy[group] = normaliseRetryPolicy(policy, policyPath, ctx.issues);
  }

  const defaultFallbacks = pick('default_fallbacks');
  defaultFallbacks?.value.forEach((target, index) => {
    checkName(target, 'target', childPath(defaultFallbacks.path, index), known, ctx.issues);
  });

  const fallbacks = (key: 'fallbacks' | 'context_window_fallbacks' | 'content_policy_fallbacks') => {
    const found = pick(key);
    return found === undefined ? {} : toFallbackMap(found.value, found.path, ctx.issues, known);
  };
  const retryPolicy = pick('retry_policy');
  const allowedFailsPolicy = pick('allowed_fails_policy');

  const settings: RouterSettings = {
    routingStrategy: pick('routing_strategy')?.value ?? ROUTER_DEFAULTS.routingStrategy,
    routingStrategyArgs: pick('routing_strategy_args')?.value ?? {},
    numRetries: pick('num_retries')?.value ?? ROUTER_DEFAULTS.numRetries,
    retryAfterSec: pick('retry_after')?.value ?? ROUTER_DEFAULTS.retryAfterSec,
    retryPolicy: retryPolicy ? normaliseRetryPolicy(retryPolicy.value, retryPolicy.path, ctx.issues) : {},
    modelGroupRetryPolicy,
    allowedFails: pick('allowed_fails')?.value ?? ROUTER_DEFAULTS.allowedFails,
    allowedFailsSet: pick('allowed_fails') !== undefined,
    allowedFailsPolicy: allowedFailsPolicy
      ? normaliseAllowedFailsPolicy(allowedFailsPolicy.value, allowedFailsPolicy.path, ctx.issues)
      : {},
    cooldownTimeSec: pick('cooldown_time')?.value ?? ROUTER_DEFAULTS.cooldownTimeSec,
    disableCooldowns: pick('disable_cooldowns')?.value ?? false,
    fallbacks: fallbacks('fallbacks'),
    defaultFallbacks: defaultFallbacks ? [...defaultFallbacks.value] : [],
    contextWindowFallbacks: fallbacks('context_window_fallbacks'),
    contentPolicyFallbacks: fallbacks('content_policy_fallbacks'),
    maxFallbacks: pick('max_fallbacks')?.value ?? ROUTER_DEFAULTS.maxFallbacks,
    timeoutMs: Math.round((pick('timeout', 'request_timeout')?.value ?? ROUTER_DEFAULTS.timeoutSec) * 1000),
    enablePreCallChecks: pick('enable_pre_call_checks')?.value ?? false,
    modelGroupAlias,
  };
  if (pick('cache', 'cache_responses')?.value === true) {
    const params = pick('cache_params')?.value;
    settings.cache = { ttlSec: params?.ttl ?? DEFAULT_CACHE_TTL_SEC };
    if (params?.namespace) settings.cache.namespace = params.namespace;
  }
  const maxParallel = pick('default_max_parallel_requests');
  if (maxParallel !== undefined) settings.defaultMaxParallelRequests = maxParallel.value;
  const custom = pick('custom_routing_strategy');
  if (custom !== undefined) {
    settings.customStrategyPath = resolve(ctx.baseDir, custom.value);
    if (!existsSync(settings.customStrategyPath)) {
      ctx.issues.push({ path: custom.path, message: `module not found: ${settings.customStrategyPath}` });
    }
  }
  return settings;
}
