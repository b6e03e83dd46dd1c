// The model list as stored in Redis: LiteLLM model_list entries with ids pinned and credentials never in
// clear text, and the pure operations on it (validate, change, redact, build the worker's deployments).
import type { ConfigIssue } from './config-error.ts';
import type { CredentialBook } from './credentials.ts';
import { applyRouterDefaults, buildDeployment } from './deployment.ts';
import { type Env, isEnvRef, withOverlay } from './env.ts';
import { isMapping } from './is-mapping.ts';
import { childPath } from './path.ts';
import { isSecretParam } from './secret-params.ts';
import { isSealed, seal, unseal } from './secret-seal.ts';
import type { Deployment, DeploymentDefaults, SwitchyardConfig } from './types.ts';

/** A credential seeded from a config file without a salt key: each worker takes it from its own file. */
export const FROM_CONFIG_FILE = 'sy-config-file';

export interface StoredModelEntry {
  model_name: string;
  litellm_params: Record<string, unknown>;
  model_info: Record<string, unknown> & { id: string };
  [key: string]: unknown;
}

export type ModelChange =
  | { op: 'add'; entry: unknown }
  | { op: 'update'; entry: unknown }
  | { op: 'delete'; id: unknown }
  | { op: 'replace'; entries: unknown };

export interface SealOptions {
  /** SWITCHYARD_SALT_KEY: raw credentials are stored AES-256-GCM encrypted under it. */
  saltKey?: string | undefined;
  /** Seeding from the config file: without a salt key a raw credential stays in the file. */
  fromConfigFile?: boolean;
}

const PLACEHOLDER = 'https://placeholder.invalid';

/** Every `os.environ/NAME` in the entry resolves to a placeholder: validation must not need the secret. */
function placeholderEnv(value: unknown, env: Record<string, string> = {}): Record<string, string> {
  if (isEnvRef(value)) env[value.slice('os.environ/'.length)] = PLACEHOLDER;
  else if (Array.isArray(value)) for (const item of value) placeholderEnv(item, env);
  else if (isMapping(value)) for (const item of Object.values(value)) placeholderEnv(item, env);
  return env;
}

function mapSecrets(
  params: Record<string, unknown>,
  fn: (key: string, value: unknown) => unknown,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([key, value]) => [key, isSecretParam(key) ? fn(key, value) : value]),
  );
}

/** Validates one entry as a LiteLLM model_list item and returns it ready to store: id pinned, secrets sealed. */
export function storableEntry(
  raw: unknown,
  path: string,
  opts: SealOptions,
  issues: ConfigIssue[],
): StoredModelEntry | undefined {
  const rawParams = isMapping(raw) ? raw.litellm_params : undefined;
  const probe =
    isMapping(raw) && isMapping(rawParams)
      ? {
          ...raw,
          litellm_params: mapSecrets(rawParams, (_k, v) =>
            isSealed(v) || v === FROM_CONFIG_FILE ? PLACEHOLDER : v,
          ),
        }
      : raw;
  const before = issues.length;
  const built = buildDeployment(probe, path, { env: placeholderEnv(probe), issues, warnings: [] });
  if (built === undefined || issues.length > before || !isMapping(raw) || !isMapping(rawParams))
    return undefined;
  const paramsPath = childPath(path, 'litellm_params');
  const params = mapSecrets(rawParams, (key, value) => {
    if (isEnvRef(value) || isSealed(value) || value === FROM_CONFIG_FILE) return value;
    if (opts.saltKey && typeof value === 'string') return seal(value, opts.saltKey);
    if (opts.fromConfigFile) return FROM_CONFIG_FILE;
    issues.push({
      path: childPath(paramsPath, key),
      message:
        typeof value === 'string'
          ? 'a raw credential is stored only encrypted: set SWITCHYARD_SALT_KEY, or write os.environ/NAME'
          : 'expected os.environ/NAME or a string',
    });
    return undefined;
  });
  if (issues.length > before) return undefined;
  const info = isMapping(raw.model_info) ? raw.model_info : {};
  return {
    ...raw,
    model_name: built.deployment.modelGroup,
    litellm_params: params,
    model_info: { ...info, id: built.deployment.id },
  };
}

/** What reading the list shows: sealed and file-held credentials are left out; env references stay. */
export function redactEntry(entry: StoredModelEntry): StoredModelEntry {
  const params = Object.fromEntries(
    Object.entries(entry.litellm_params).filter(([key, value]) => !isSecretParam(key) || isEnvRef(value)),
  );
  return { ...entry, litellm_params: params };
}

/** Applies one change; on any problem returns the issues (named by field) and the list is unchanged. */
export function changeModelList(
  entries: readonly StoredModelEntry[],
  change: ModelChange,
  opts: SealOptions,
): { entries: StoredModelEntry[] } | { issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const indexOf = (id: unknown) => entries.findIndex((e) => e.model_info.id === id);
  let next: StoredModelEntry[] | undefined;
  if (change.op === 'add') {
    const entry = storableEntry(change.entry, '', opts, issues);
    if (entry && indexOf(entry.model_info.id) >= 0)
      issues.push({ path: 'model_info.id', message: `a deployment with id ${entry.model_info.id} exists` });
    else if (entry) next = [...entries, entry];
  } else if (change.op === 'update') {
    const patch = isMapping(change.entry) ? change.entry : {};
    const info = isMapping(patch.model_info) ? patch.model_info : {};
    const index = indexOf(info.id);
    if (typeof info.id !== 'string')
      issues.push({ path: 'model_info.id', message: 'required: the id to update' });
    else if (index < 0) issues.push({ path: 'model_info.id', message: `no deployment with id ${info.id}` });
    else if (patch.litellm_params !== undefined && !isMapping(patch.litellm_params))
      issues.push({ path: 'litellm_params', message: 'expected a mapping' });
    else {
      const old = entries[index]!;
      const merged = {
        ...old,
        ...(typeof patch.model_name === 'string' ? { model_name: patch.model_name } : {}),
        litellm_params: {
          ...old.litellm_params,
          ...(isMapping(patch.litellm_params) ? patch.litellm_params : {}),
        },
        model_info: { ...old.model_info, ...info },
      };
      const entry = storableEntry(merged, '', opts, issues);
      if (entry) next = entries.map((e, i) => (i === index ? entry : e));
    }
  } else if (change.op === 'delete') {
    const index = indexOf(change.id);
    if (typeof change.id !== 'string') issues.push({ path: 'id', message: 'required: the deployment id' });
    else if (index < 0) issues.push({ path: 'id', message: `no deployment with id ${change.id}` });
    else next = entries.filter((_e, i) => i !== index);
  } else if (!Array.isArray(change.entries)) {
    issues.push({ path: 'model_list', message: 'expected a list of deployments' });
  } else {
    const list: StoredModelEntry[] = [];
    change.entries.forEach((raw, index) => {
      const path = childPath('model_list', index);
      const entry = storableEntry(raw, path, opts, issues);
      if (entry && list.some((e) => e.model_info.id === entry.model_info.id))
        issues.push({
          path: childPath(path, 'model_info'),
          message: `duplicate deployment id ${entry.model_info.id}`,
        });
      else if (entry) list.push(entry);
    });
    next = list;
  }
  return issues.length > 0 || next === undefined ? { issues } : { entries: next };
}

/**
 * The config file's model_list as stored entries. A literal credential in the file stays in the file (each
 * worker takes it from its own copy), never encrypted with one worker's salt key that others may lack.
 */
export function seedEntries(config: SwitchyardConfig): StoredModelEntry[] {
  const issues: ConfigIssue[] = [];
  const out: StoredModelEntry[] = [];
  (config.modelListSource?.entries ?? []).forEach((raw, index) => {
    const entry = storableEntry(raw, childPath('model_list', index), { fromConfigFile: true }, issues);
    if (entry) out.push(entry);
  });
  return out;
}

export interface BuildOptions {
  /** Where this worker resolves `os.environ/NAME`. */
  env: Env;
  saltKey?: string | undefined;
  /** This worker's config: its file's credentials (by deployment id) and the router's defaults. */
  config: SwitchyardConfig;
  /**
   * For viewing only (the gateway's fleet view): no credential is resolved or decrypted, and an unset
   * variable does not skip its entry (its value shows as a placeholder).
   */
  view?: boolean;
}

/** Stored entries → this worker's deployments; an entry it cannot build (unset variable…) is skipped. */
export function buildModelList(
  entries: readonly StoredModelEntry[],
  opts: BuildOptions,
): { deployments: Deployment[]; issues: ConfigIssue[] } {
  const fileParams = new Map<string, Record<string, unknown>>();
  const source = opts.config.modelListSource?.entries ?? [];
  opts.config.deployments.forEach((d, i) => {
    const raw = source[i];
    if (isMapping(raw) && isMapping(raw.litellm_params)) fileParams.set(d.id, raw.litellm_params);
  });
  const env = withOverlay(opts.env, opts.config.modelListSource?.environment);
  const credentials = viewable(opts.config.modelListSource?.credentials, opts.view);
  const issues: ConfigIssue[] = [];
  const deployments: Deployment[] = [];
  entries.forEach((entry, index) => {
    const path = childPath(childPath('model_list', index), 'litellm_params');
    const before = issues.length;
    const params = mapSecrets(entry.litellm_params, (key, value) => {
      if (opts.view) return undefined;
      if (value === FROM_CONFIG_FILE) {
        const own = fileParams.get(entry.model_info.id)?.[key];
        if (own === undefined)
          issues.push({ path: childPath(path, key), message: "not in this worker's config file" });
        return own;
      }
      if (!isSealed(value)) return value;
      if (!opts.saltKey) {
        issues.push({
          path: childPath(path, key),
          message: 'encrypted, and SWITCHYARD_SALT_KEY is not set here',
        });
        return undefined;
      }
      try {
        return unseal(value, opts.saltKey);
      } catch {
        issues.push({ path: childPath(path, key), message: 'cannot decrypt: SWITCHYARD_SALT_KEY differs' });
        return undefined;
      }
    });
    if (issues.length > before) return;
    const built = buildDeployment({ ...entry, litellm_params: params }, childPath('model_list', index), {
      env: opts.view ? { ...placeholderEnv([params, ...(credentials?.values() ?? [])]), ...env } : env,
      issues,
      warnings: [],
      ...(credentials === undefined ? {} : { credentials }),
    });
    if (built && issues.length === before) deployments.push({ ...built.deployment, id: entry.model_info.id });
  });
  const defaults: DeploymentDefaults = opts.config.modelListSource?.defaults ?? { extraParams: {} };
  applyRouterDefaults(deployments, defaults);
  return { deployments, issues };
}

/** For viewing, a credential lends only what is not secret (api_base, api_version…), as entries do. */
function viewable(book: CredentialBook | undefined, view: boolean | undefined): CredentialBook | undefined {
  if (book === undefined || !view) return book;
  return new Map(
    [...book].map(([name, values]) => [
      name,
      Object.fromEntries(Object.entries(values).filter(([key]) => !isSecretParam(key))),
    ]),
  );
}
