// Entry point: LiteLLM config.yaml text (or an already parsed object) → validated SwitchyardConfig.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue, throwIfAny } from './config-error.ts';
import { credentialBook } from './credentials.ts';
import { applyRouterDefaults, buildDeployment, routerDeploymentDefaults } from './deployment.ts';
import { type Env, environmentOverlay, resolveEnvRefs, resolveEnvRefsOf, withOverlay } from './env.ts';
import { isMapping } from './is-mapping.ts';
import { childPath } from './path.ts';
import { redisSettings } from './redis-settings.ts';
import { buildRouterSettings } from './router-settings.ts';
import { documentSchema, HEALTH_KEYS, healthSettingsSchema, switchyardSettingsSchema } from './schema.ts';
import type { Deployment, HealthSettings, SwitchyardConfig, SwitchyardSettings } from './types.ts';
import { collectUnsupportedKeys } from './unsupported-keys.ts';
import { parseInto } from './validate.ts';

export interface LoadOptions {
  /** Where `os.environ/NAME` and provider key variables are read; defaults to process.env. */
  env?: Env;
  /** Directory that relative paths (custom_routing_strategy) are resolved against; defaults to cwd. */
  baseDir?: string;
}

/** Throws ConfigError listing every problem as `<path>: <message>`; unsupported keys land in `warnings`. */
export function loadConfig(input: string | object, opts: LoadOptions = {}): SwitchyardConfig {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const raw = dropNulls(typeof input === 'string' ? parseYaml(input) : input);

  const doc = parseInto(documentSchema, raw, '', issues);
  collectUnsupportedKeys(documentSchema, raw, '', warnings);
  if (doc === undefined) throw new ConfigError(issues);
  // As LiteLLM does, environment_variables are in place before any os.environ/ reference of the file is read.
  const environment = environmentOverlay(
    doc.environment_variables,
    opts.env ?? process.env,
    issues,
    warnings,
  );
  const env = withOverlay(opts.env ?? process.env, environment);
  const credentials = credentialBook(doc.credential_list, issues, warnings);
  const general = generalSettings(doc.general_settings, env, issues, warnings);

  const deployments: Deployment[] = [];
  const idPaths = new Map<string, string>();
  const ctx = { env, issues, warnings, credentials };
  doc.model_list.forEach((entry, index) => {
    const built = buildDeployment(entry, childPath('model_list', index), ctx);
    if (built === undefined) return;
    const earlier = idPaths.get(built.deployment.id);
    if (earlier !== undefined) {
      issues.push({
        path: built.idPath,
        message: `duplicate deployment id ${built.deployment.id} (also ${earlier}); give each a distinct model_info.id`,
      });
      return;
    }
    idPaths.set(built.deployment.id, built.idPath);
    deployments.push(built.deployment);
  });

  const modelListValid = issues.length === 0;
  const {
    settings: router,
    pick,
    callbacks,
  } = buildRouterSettings(
    [
      { name: 'litellm_settings', raw: doc.litellm_settings },
      { name: 'router_settings', raw: doc.router_settings },
    ],
    {
      env,
      baseDir: opts.baseDir ?? process.cwd(),
      issues,
      warnings,
      known: modelListValid
        ? { groups: new Set(deployments.map((d) => d.modelGroup)), deploymentIds: new Set(idPaths.keys()) }
        : undefined,
    },
  );
  const defaults = routerDeploymentDefaults(pick, warnings);
  applyRouterDefaults(deployments, defaults);
  const redis = redisSettings(pick, issues, warnings);
  const switchyard = buildSwitchyardSettings(doc.switchyard_settings, env, issues, warnings);
  throwIfAny(issues);
  const config: SwitchyardConfig = {
    deployments,
    router,
    switchyard: switchyard!,
    callbacks,
    warnings,
    // As written (env refs unresolved): what seeds the model list in Redis; index-aligned with deployments.
    modelListSource: { entries: doc.model_list, defaults, environment, credentials },
  };
  if (redis !== undefined) config.redis = redis;
  if (general.masterKey !== undefined) config.masterKey = general.masterKey;
  if (general.health !== undefined) config.health = general.health;
  return config;
}

/** Reads a YAML file; relative paths inside it resolve against the file's directory unless baseDir is given. */
export function loadConfigFile(path: string, opts: LoadOptions = {}): SwitchyardConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([{ path: '', message: `cannot read config file ${path}: ${reason}` }]);
  }
  return loadConfig(text, { ...opts, baseDir: opts.baseDir ?? dirname(resolve(path)) });
}

function parseYaml(text: string): unknown {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new ConfigError(
      document.errors.map((error) => {
        const at = error.linePos?.[0];
        return {
          path: at ? `line ${at.line}, column ${at.col}` : '',
          message: error.message.split('\n')[0]!,
        };
      }),
    );
  }
  return document.toJS();
}

/** A key written with no value (`fallbacks:`) means "not set", as pydantic's None does in LiteLLM. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isMapping(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== null && item !== undefined)
      .map(([key, item]) => [key, dropNulls(item)]),
  );
}

function buildSwitchyardSettings(
  raw: unknown,
  env: Env,
  issues: ConfigIssue[],
  warnings: string[],
): SwitchyardSettings | undefined {
  const keys = new Set(Object.keys(switchyardSettingsSchema.shape));
  const resolved = resolveEnvRefsOf(raw ?? {}, keys, 'switchyard_settings', env, issues);
  collectUnsupportedKeys(switchyardSettingsSchema, resolved, 'switchyard_settings', warnings);
  const parsed = parseInto(switchyardSettingsSchema, resolved, 'switchyard_settings', issues);
  if (parsed === undefined) return undefined;
  const settings: SwitchyardSettings = {
    queueName: parsed.queue_name,
    resultTtlSec: parsed.result_ttl_seconds,
    lockDurationMs: parsed.lock_duration_ms,
    allowMockParams: parsed.allow_mock_params,
    maxRequestRetries: parsed.max_request_retries,
    cacheMaxEntryBytes: parsed.cache_max_entry_bytes,
    maxAudioBytes: parsed.max_audio_bytes,
    storeModelInDb: parsed.store_model_in_db,
    metrics: parsed.metrics,
    events: parsed.events,
    eventsMaxLen: parsed.events_max_len,
    callbackBufferSize: parsed.callback_buffer_size,
    streamMaxEntries: parsed.stream_max_entries,
    queueShards: parsed.queue_shards,
    leaseUnits: parsed.lease_units,
    leaseTtlMs: parsed.lease_ttl_ms,
  };
  if (parsed.queue_prefix !== undefined) settings.queuePrefix = parsed.queue_prefix;
  if (parsed.job_deadline_seconds !== undefined)
    settings.jobDeadlineMs = Math.round(parsed.job_deadline_seconds * 1000);
  return settings;
}

/** LiteLLM proxy's general_settings: `master_key` and the health-check keys; the rest is listed as ignored. */
function generalSettings(
  raw: Record<string, unknown> | undefined,
  env: Env,
  issues: ConfigIssue[],
  warnings: string[],
): { masterKey?: string; health?: HealthSettings } {
  const out: { masterKey?: string; health?: HealthSettings } = {};
  const health: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    const path = childPath('general_settings', key);
    if (HEALTH_KEYS.has(key)) {
      health[key] = resolveEnvRefs(value, path, env, issues);
      continue;
    }
    if (key !== 'master_key') {
      warnings.push(`${path}: proxy setting, ignored`);
      continue;
    }
    const resolved = resolveEnvRefs(value, path, env, issues);
    if (typeof resolved === 'string' && resolved.length > 0) out.masterKey = resolved;
    else issues.push({ path, message: 'expected a non-empty string (or os.environ/NAME)' });
  }
  const parsed = parseInto(healthSettingsSchema, health, 'general_settings', issues);
  if (parsed && Object.keys(health).length > 0) {
    out.health = {
      background: parsed.background_health_checks ?? false,
      intervalMs: Math.round((parsed.health_check_interval ?? 300) * 1000),
      routing: parsed.enable_health_check_routing ?? false,
    };
  }
  return out;
}
