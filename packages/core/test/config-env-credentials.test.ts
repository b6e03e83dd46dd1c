// LiteLLM's top-level `environment_variables` and `credential_list` (+ `litellm_credential_name`), through the
// real loader and the stored model list a worker builds from.
import { describe, expect, it } from 'vitest';
import {
  buildModelList,
  ConfigError,
  changeModelList,
  loadConfig,
  type SwitchyardConfig,
  seedEntries,
} from '../src/index.ts';

function problems(doc: object, env: Record<string, string> = {}): string {
  try {
    loadConfig(doc, { env });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '';
}

const azure = (extra: object = {}) => ({
  model_name: 'gpt-4o',
  litellm_params: { model: 'azure/gpt-4o', litellm_credential_name: 'eu', ...extra },
  model_info: { id: 'eu-1' },
});

const EU = {
  credential_name: 'eu',
  credential_values: {
    api_key: 'os.environ/AZURE_EU_KEY',
    api_base: 'https://eu.example.com',
    api_version: '2024-10-21',
  },
  credential_info: { description: 'EU' },
};

describe('environment_variables', () => {
  it('are set before os.environ/ references are read, over the process values, without touching process.env', () => {
    const before = { ...process.env };
    const config = loadConfig(
      {
        environment_variables: { MY_KEY: 'sk-from-config-1', OTHER: 'os.environ/BASE_VAR', N: 3 },
        model_list: [
          { model_name: 'a', litellm_params: { model: 'openai/a', api_key: 'os.environ/MY_KEY' } },
          { model_name: 'b', litellm_params: { model: 'openai/b', api_key: 'os.environ/OTHER' } },
          { model_name: 'c', litellm_params: { model: 'openai/c', api_key: 'os.environ/N' } },
        ],
      },
      { env: { MY_KEY: 'from-process', BASE_VAR: 'base-value' } },
    );
    expect(config.deployments.map((d) => d.apiKey)).toEqual(['sk-from-config-1', 'base-value', '3']);
    expect(config.warnings).toEqual([]);
    expect(process.env).toEqual(before);
    // What the config keeps of them for the workers' model list is a Map: a dump of it prints no value.
    expect(JSON.stringify(config.modelListSource)).not.toContain('sk-from-config-1');
  });

  it('feed provider defaults (OPENAI_API_KEY) and every other section, as process variables would', () => {
    const config = loadConfig(
      {
        environment_variables: { OPENAI_API_KEY: 'sk-default-key', MASTER: 'sk-master' },
        model_list: [{ model_name: 'a', litellm_params: { model: 'openai/a' } }],
        general_settings: { master_key: 'os.environ/MASTER' },
      },
      { env: {} },
    );
    expect(config.deployments[0]!.apiKey).toBe('sk-default-key');
    expect(config.masterKey).toBe('sk-master');
  });

  it('LiteLLM’s documented example: REDIS_HOST / REDIS_PORT / REDIS_PASSWORD read by router_settings', () => {
    const config = loadConfig(
      {
        environment_variables: { REDIS_HOST: 'cache.internal', REDIS_PORT: 6380, REDIS_PASSWORD: 'pw-1' },
        model_list: [{ model_name: 'a', litellm_params: { model: 'openai/a', api_key: 'x' } }],
        router_settings: {
          redis_host: 'os.environ/REDIS_HOST',
          redis_port: 'os.environ/REDIS_PORT',
          redis_password: 'os.environ/REDIS_PASSWORD',
        },
      },
      { env: {} },
    );
    expect(config.redis).toMatchObject({
      url: 'redis://:pw-1@cache.internal:6380',
      displayUrl: 'redis://:***@cache.internal:6380',
    });
  });

  it('an unset reference is warned and left unset; a nested value is refused by path', () => {
    const config = loadConfig(
      {
        environment_variables: { K: 'os.environ/NOT_SET' },
        model_list: [{ model_name: 'a', litellm_params: { model: 'openai/a', api_key: 'x' } }],
      },
      { env: {} },
    );
    expect(config.warnings).toEqual([
      'environment_variables.K: environment variable NOT_SET is not set; K left as the environment has it',
    ]);
    expect(
      problems({
        environment_variables: { K: { nested: 1 } },
        model_list: [{ model_name: 'a', litellm_params: { model: 'openai/a', api_key: 'x' } }],
      }),
    ).toContain('environment_variables.K: expected a string, number or boolean');
  });
});

describe('credential_list and litellm_credential_name', () => {
  it('a deployment takes the named credential’s values, its own params winning', () => {
    const config = loadConfig(
      {
        credential_list: [EU],
        model_list: [azure(), { ...azure({ api_version: '2025-01-01' }), model_info: { id: 'eu-2' } }],
      },
      { env: { AZURE_EU_KEY: 'az-eu-secret' } },
    );
    expect(config.deployments[0]).toMatchObject({
      apiKey: 'az-eu-secret',
      apiBase: 'https://eu.example.com',
      apiVersion: '2024-10-21',
    });
    expect(config.deployments[1]!.apiVersion).toBe('2025-01-01');
    expect(config.warnings).toEqual([]);
  });

  it('credential values may read environment_variables', () => {
    const config = loadConfig(
      {
        environment_variables: { AZURE_EU_KEY: 'from-env-vars' },
        credential_list: [EU],
        model_list: [azure()],
      },
      { env: {} },
    );
    expect(config.deployments[0]!.apiKey).toBe('from-env-vars');
  });

  it('an unknown name, a duplicate name and a malformed entry are errors naming their path', () => {
    const message = problems(
      {
        credential_list: [EU, EU, { credential_name: 'x' }],
        model_list: [azure({ litellm_credential_name: 'nope' })],
      },
      { AZURE_EU_KEY: 'k' },
    );
    expect(message).toContain('credential_list[1].credential_name: duplicate credential name eu');
    expect(message).toContain('credential_list[2].credential_values: Required');
    expect(message).toContain(
      'model_list[0].litellm_params.litellm_credential_name: no credential named "nope"',
    );
  });

  it('the id hashes the params as written, not the credential’s values (rotating a secret keeps the id)', () => {
    const build = (key: string) =>
      loadConfig(
        {
          credential_list: [{ ...EU, credential_values: { ...EU.credential_values, api_key: key } }],
          model_list: [{ ...azure(), model_info: {} }],
        },
        { env: {} },
      ).deployments[0]!;
    expect(build('k1').id).toBe(build('k2').id);
  });
});

describe('the stored model list', () => {
  const load = (env: Record<string, string>): SwitchyardConfig =>
    loadConfig(
      {
        environment_variables: { AZURE_EU_KEY: 'az-secret-from-file' },
        credential_list: [EU],
        model_list: [azure()],
      },
      { env },
    );

  it('stores the credential’s name only; each worker builds the values from its own file', () => {
    const config = load({});
    const stored = seedEntries(config);
    expect(stored[0]!.litellm_params).toEqual({ model: 'azure/gpt-4o', litellm_credential_name: 'eu' });
    expect(JSON.stringify(stored)).not.toContain('az-secret-from-file');
    const built = buildModelList(stored, { env: {}, config });
    expect(built.issues).toEqual([]);
    expect(built.deployments[0]).toMatchObject({
      id: 'eu-1',
      apiKey: 'az-secret-from-file',
      apiBase: 'https://eu.example.com',
    });
  });

  it('a runtime entry naming a credential validates without it; a worker whose file lacks it skips the entry', () => {
    const config = load({});
    const added = changeModelList(
      seedEntries(config),
      { op: 'add', entry: { ...azure({ litellm_credential_name: 'us' }), model_info: { id: 'us-1' } } },
      {},
    );
    if (!('entries' in added)) throw new Error(JSON.stringify(added.issues));
    const built = buildModelList(added.entries, { env: {}, config });
    expect(built.deployments.map((d) => d.id)).toEqual(['eu-1']);
    expect(built.issues).toEqual([
      {
        path: 'model_list[1].litellm_params.litellm_credential_name',
        message: 'no credential named "us" in credential_list',
      },
    ]);
  });

  it('the view (fleet page) shows the credential’s api_base and resolves no secret', () => {
    const config = load({});
    const built = buildModelList(seedEntries(config), { env: {}, config, view: true });
    expect(built.deployments[0]!.apiBase).toBe('https://eu.example.com');
    expect(built.deployments[0]!.apiKey).toBeUndefined();
  });
});
