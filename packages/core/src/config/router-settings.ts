// `router_settings` + `litellm_settings` → RouterSettings with LiteLLM's defaults; router_settings wins per key.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readCallbacks } from './callbacks.ts';
import type { ConfigIssue } from './config-error.ts';
import { type Env, resolveEnvRefsOf } from './env.ts';
import { knownTargets, toFallbackMap } from './fallbacks.ts';
import { isMapping } from './is-mapping.ts';
import { childPath } from './path.ts';
import { redisEnvSource } from './redis-address.ts';
import { checkName, type KnownNames } from './references.ts';
import { normaliseAllowedFailsPolicy, normaliseRetryPolicy } from './retry-policy.ts';
import {
  REDIS_KEYS,
  RESOLVED_ROUTER_KEYS,
  type RouterSettingsInput,
  routerSettingsSchema,
} from './schema.ts';
import type {
  CacheSettings,
  CallbackSettings,
  RetryPolicy,
  RouterSettings,
  RoutingStrategyName,
} from './types.ts';
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
export interface Picked<K extends Key> {
  value: NonNullable<RouterSettingsInput[K]>;
  path: string;
}
/** The value of the first of `keys` set, looking at the sections with the highest precedence first. */
export type PickSetting = <K extends Key>(...keys: K[]) => Picked<K> | undefined;

export interface BuiltRouterSettings {
  settings: RouterSettings;
  /** LiteLLM's callback lists, entries Switchyard runs only. */
  callbacks: CallbackSettings;
  /** Settings read by other builders (deployments' defaults, Redis). */
  pick: PickSetting;
}

/** Sections in increasing precedence: later sections win. */
export function buildRouterSettings(
  sections: readonly SettingsSection[],
  ctx: RouterSettingsContext,
): BuiltRouterSettings {
  const parsed: { name: string; data: RouterSettingsInput }[] = [];
  // One source of truth for Redis: with REDIS_URL (or REDIS_CLUSTER_NODES) set, the config's redis keys are not read.
  const envRedis = redisEnvSource(ctx.env);
  const redisFromConfig = envRedis === undefined;
  for (const section of sections) {
    if (section.raw === undefined) continue;
    const raw = redisFromConfig ? section.raw : withoutRedisKeys(section, envRedis, ctx.warnings);
    const keys = redisFromConfig ? ALL_ROUTER_KEYS : RESOLVED_ROUTER_KEYS;
    const resolved = resolveEnvRefsOf(raw, keys, section.name, ctx.env, ctx.issues);
    collectUnsupportedKeys(routerSettingsSchema, resolved, section.name, ctx.warnings);
    const data = parseInto(routerSettingsSchema, resolved, section.name, ctx.issues);
    if (data !== undefined) parsed.push({ name: section.name, data });
  }
  const pick: PickSetting = <K extends Key>(...keys: K[]): Picked<K> | undefined => {
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
  const modelGroupAlias: Record<string, string> = {};
  const hiddenAliases: string[] = [];
  for (const [alias, target] of Object.entries(aliasPick?.value ?? {})) {
    const group = typeof target === 'string' ? target : target.model;
    const aliasPath = childPath(aliasPick!.path, alias);
    // A dangling alias is dropped, so it never hides a group of the same name (LiteLLM's guide has one).
    if (
      !checkName(group, 'group', aliasPath, ctx.known && { ...ctx.known, aliases: new Set() }, ctx.warnings)
    )
      continue;
    if (ctx.known?.groups.has(alias))
      ctx.warnings.push(`${aliasPath}: alias shadows the model group of the same name`);
    modelGroupAlias[alias] = group;
    if (typeof target !== 'string' && target.hidden === true) hiddenAliases.push(alias);
  }
  const known = ctx.known && { ...ctx.known, aliases: new Set(Object.keys(modelGroupAlias)) };

  const groupPolicies = pick('model_group_retry_policy');
  const modelGroupRetryPolicy: Record<string, RetryPolicy> = {};
  for (const [group, policy] of Object.entries(groupPolicies?.value ?? {})) {
    const policyPath = childPath(groupPolicies!.path, group);
    const policyOf = normaliseRetryPolicy(policy, policyPath, ctx.issues);
    if (checkName(group, 'group', policyPath, known, ctx.warnings)) modelGroupRetryPolicy[group] = policyOf;
  }

  const groupStrategies = pick('model_group_routing_strategy');
  const modelGroupRoutingStrategy: Record<string, RoutingStrategyName> = {};
  for (const [group, name] of Object.entries(groupStrategies?.value ?? {})) {
    if (checkName(group, 'group', childPath(groupStrategies!.path, group), known, ctx.warnings))
      modelGroupRoutingStrategy[group] = name;
  }

  const defaultFallbacks = pick('default_fallbacks');
  const fallbacks = (key: 'fallbacks' | 'context_window_fallbacks' | 'content_policy_fallbacks') => {
    const found = pick(key);
    return found === undefined ? {} : toFallbackMap(found.value, found.path, ctx.issues, ctx.warnings, known);
  };
  const callbacks = readCallbacks(parsed, ctx);
  const metricsAuth = pick('require_auth_for_metrics_endpoint');
  if (metricsAuth !== undefined) callbacks.requireAuthForMetrics = metricsAuth.value;
  const retryPolicy = pick('retry_policy');
  const allowedFailsPolicy = pick('allowed_fails_policy');

  const settings: RouterSettings = {
    routingStrategy: ROUTER_DEFAULTS.routingStrategy,
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
    defaultFallbacks: defaultFallbacks
      ? knownTargets(defaultFallbacks.value, defaultFallbacks.path, ctx.warnings, known)
      : [],
    contextWindowFallbacks: fallbacks('context_window_fallbacks'),
    contentPolicyFallbacks: fallbacks('content_policy_fallbacks'),
    maxFallbacks: pick('max_fallbacks')?.value ?? ROUTER_DEFAULTS.maxFallbacks,
    timeoutMs: Math.round((pick('timeout', 'request_timeout')?.value ?? ROUTER_DEFAULTS.timeoutSec) * 1000),
    enablePreCallChecks: pick('enable_pre_call_checks')?.value ?? false,
    modelGroupAlias,
    ...(hiddenAliases.length > 0 ? { hiddenAliases } : {}),
    modelGroupRoutingStrategy,
  };
  const cache = cacheSettings(pick, ctx, known);
  if (cache !== undefined) settings.cache = cache;
  const streamTimeout = pick('stream_timeout');
  if (streamTimeout !== undefined) settings.streamTimeoutMs = Math.round(streamTimeout.value * 1000);
  const budgets = pick('provider_budget_config');
  if (budgets !== undefined) {
    settings.providerBudgets = Object.fromEntries(
      Object.entries(budgets.value).map(([provider, b]) => [
        provider,
        { limit: b.budget_limit, period: b.time_period },
      ]),
    );
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
  const strategy = pick('routing_strategy');
  if (strategy?.value === 'custom') {
    // `custom` names no strategy of its own; the module does.
    settings.routingStrategy = ROUTER_DEFAULTS.routingStrategy;
    if (custom === undefined)
      ctx.issues.push({
        path: strategy.path,
        message: 'custom needs custom_routing_strategy: <module path>',
      });
  } else if (strategy !== undefined) {
    settings.routingStrategy = strategy.value;
  }
  return { settings, pick, callbacks };
}

const ALL_ROUTER_KEYS: ReadonlySet<string> = new Set([...RESOLVED_ROUTER_KEYS, ...REDIS_KEYS]);

function withoutRedisKeys(section: SettingsSection, envVar: string, warnings: string[]): unknown {
  if (!isMapping(section.raw)) return section.raw;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section.raw)) {
    if (REDIS_KEYS.has(key)) warnings.push(`${childPath(section.name, key)}: not used, ${envVar} is set`);
    else kept[key] = value;
  }
  return kept;
}

/**
 * `cache` / `cache_responses` turn the cache on; `cache_kwargs` (the Router's name) and `cache_params` (the
 * proxy's) say where, how long and under which namespace — cache_kwargs wins key by key.
 */
function cacheSettings(
  pick: PickSetting,
  ctx: RouterSettingsContext,
  known: KnownNames | undefined,
): CacheSettings | undefined {
  const on = pick('cache', 'cache_responses')?.value === true;
  const kwargs = pick('cache_kwargs');
  const params = pick('cache_params');
  const groupsPick = pick('caching_groups');
  if (!on) {
    for (const unused of [kwargs, params, groupsPick])
      if (unused) ctx.warnings.push(`${unused.path}: caching is off (set cache_responses: true), ignored`);
    return undefined;
  }
  const merged = { ...params?.value, ...kwargs?.value };
  const cache: CacheSettings = {
    ttlSec: merged.ttl ?? DEFAULT_CACHE_TTL_SEC,
    type: merged.type ?? 'redis',
    groups: [],
  };
  if (merged.namespace) cache.namespace = merged.namespace;
  groupsPick?.value.forEach((list, index) => {
    const listPath = childPath(groupsPick.path, index);
    const groups = list.filter((group, i) =>
      checkName(group, 'group', childPath(listPath, i), known, ctx.warnings),
    );
    if (groups.length >= 2) cache.groups.push(groups);
  });
  return cache;
}
