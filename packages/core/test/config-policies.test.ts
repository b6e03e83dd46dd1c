import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  deploymentId,
  loadConfig,
  normaliseAllowedFailsPolicy,
  normaliseRetryPolicy,
  resolveGroup,
} from '../src/index.ts';

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected a ConfigError');
}

const GROUPS = [
  { model_name: 'gpt-4o', litellm_params: { model: 'openai/gpt-4o' }, model_info: { id: 'oai-4o' } },
  { model_name: 'gpt-4o-mini', litellm_params: { model: 'openai/gpt-4o-mini' } },
  { model_name: 'claude', litellm_params: { model: 'anthropic/claude-3-5-haiku-latest' } },
];

function load(routerSettings: object, modelList: object[] = GROUPS) {
  return loadConfig({ model_list: modelList, router_settings: routerSettings }, { env: {} });
}

describe('retry_policy forms from the LiteLLM docs', () => {
  it('accepts <Type>Retries, bare taxonomy names, {max_retries} and the backoff object', () => {
    expect(
      normaliseRetryPolicy({
        RateLimitErrorRetries: 3,
        BadRequestError: 0,
        InternalServerError: { max_retries: 5 },
        Timeout: { max_retries: 2, base_delay: 0.5, max_delay: 8, backoff_factor: 2, jitter: 0.25 },
        AuthenticationErrorRetries: null,
      }),
    ).toEqual({
      RateLimitError: { maxRetries: 3 },
      BadRequestError: { maxRetries: 0 },
      InternalServerError: { maxRetries: 5 },
      Timeout: { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 8000, backoffFactor: 2, jitter: 0.25 },
    });
  });

  it('maps TimeoutErrorRetries to Timeout and keeps every LiteLLM name', () => {
    expect(
      Object.keys(
        normaliseRetryPolicy({
          BadRequestErrorRetries: 1,
          AuthenticationErrorRetries: 1,
          TimeoutErrorRetries: 1,
          RateLimitErrorRetries: 1,
          ContentPolicyViolationErrorRetries: 1,
          InternalServerErrorRetries: 1,
        }),
      ).sort(),
    ).toEqual([
      'AuthenticationError',
      'BadRequestError',
      'ContentPolicyViolationError',
      'InternalServerError',
      'RateLimitError',
      'Timeout',
    ]);
  });

  it('rejects unknown keys, bad values and a type given twice, each with its path', () => {
    const lines = issuesOf(() =>
      normaliseRetryPolicy(
        {
          RateLimitErrorRetries: 3,
          RateLimitError: 4,
          TimeoutErrorAllowedFails: 2,
          InternalServerErrorRetries: -1,
          BadRequestError: { max_retries: 1, jitter: 2, delay: 1 },
          Timeout: { base_delay: 1 },
        },
        'router_settings.retry_policy',
      ),
    );
    expect(lines).toEqual([
      'router_settings.retry_policy.RateLimitError: RateLimitError is already set by router_settings.retry_policy.RateLimitErrorRetries',
      expect.stringMatching(/^router_settings\.retry_policy\.TimeoutErrorAllowedFails: unknown error type/),
      'router_settings.retry_policy.InternalServerErrorRetries: expected a non-negative integer',
      'router_settings.retry_policy.BadRequestError.jitter: expected a number between 0 and 1',
      'router_settings.retry_policy.BadRequestError.delay: unknown key',
      'router_settings.retry_policy.Timeout.max_retries: Required',
    ]);
  });

  it('reaches router settings, including per-group policies', () => {
    const { router } = load({
      retry_policy: { RateLimitErrorRetries: 1 },
      model_group_retry_policy: { 'gpt-4o': { RateLimitErrorRetries: 9, TimeoutErrorRetries: 0 } },
    });
    expect(router.retryPolicy).toEqual({ RateLimitError: { maxRetries: 1 } });
    expect(router.modelGroupRetryPolicy).toEqual({
      'gpt-4o': { RateLimitError: { maxRetries: 9 }, Timeout: { maxRetries: 0 } },
    });
  });

  it('warns about a model_group_retry_policy for a group that does not exist, and drops it', () => {
    const config = load({ model_group_retry_policy: { 'gpt-5': { RateLimitErrorRetries: 1 } } });
    expect(config.warnings).toEqual([
      'router_settings.model_group_retry_policy.gpt-5: no model group named "gpt-5" in model_list; ignored',
    ]);
    expect(config.router.modelGroupRetryPolicy).toEqual({});
  });

  it('reads the router-wide form {max_retries, base_delay, max_delay, backoff_factor, jitter}', () => {
    const { router } = load({
      retry_policy: { max_retries: 5, base_delay: 1.0, max_delay: 60.0, backoff_factor: 2.0, jitter: true },
    });
    expect(router.retryPolicy).toEqual({
      default: { maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 60_000, backoffFactor: 2 },
    });
    expect(normaliseRetryPolicy({ base_delay: 2, jitter: false, RateLimitErrorRetries: 1 })).toEqual({
      RateLimitError: { maxRetries: 1 },
      default: { baseDelayMs: 2000, jitter: 0 },
    });
    expect(issuesOf(() => load({ retry_policy: { max_retries: -1, jitter: 'lots' } }))).toEqual([
      'router_settings.retry_policy.max_retries: expected a non-negative integer',
      'router_settings.retry_policy.jitter: expected true, false or a number between 0 and 1',
    ]);
  });
});

describe('allowed_fails_policy', () => {
  it('maps the LiteLLM names, including TimeoutError and BadGatewayError', () => {
    expect(
      normaliseAllowedFailsPolicy({
        RateLimitErrorAllowedFails: 100,
        TimeoutErrorAllowedFails: 12,
        BadGatewayErrorAllowedFails: 4,
        NotFoundErrorAllowedFails: 1,
        ContentPolicyViolationError: 15,
      }),
    ).toEqual({
      RateLimitError: 100,
      Timeout: 12,
      ServiceUnavailableError: 4,
      NotFoundError: 1,
      ContentPolicyViolationError: 15,
    });
  });

  it('names unknown keys and bad counts with the path inside router settings', () => {
    const lines = issuesOf(() =>
      load({ allowed_fails_policy: { RateLimitErrorRetries: 3, TimeoutErrorAllowedFails: 'many' } }),
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^router_settings\.allowed_fails_policy\.RateLimitErrorRetries: unknown error type/,
    );
    expect(lines[1]).toBe(
      'router_settings.allowed_fails_policy.TimeoutErrorAllowedFails: expected a non-negative integer',
    );
  });
});

describe('fallbacks', () => {
  it('turns LiteLLM lists of single-key dicts into maps; targets may be groups, aliases or deployment ids', () => {
    const { router } = load({
      model_group_alias: { fast: 'gpt-4o-mini' },
      fallbacks: [{ 'gpt-4o': ['claude', 'fast'] }, { claude: ['oai-4o'] }],
      default_fallbacks: ['gpt-4o-mini'],
      content_policy_fallbacks: [{ fast: ['claude'] }],
      max_fallbacks: 2,
    });
    expect(router.fallbacks).toEqual({ 'gpt-4o': ['claude', 'fast'], claude: ['oai-4o'] });
    expect(router.defaultFallbacks).toEqual(['gpt-4o-mini']);
    expect(router.contentPolicyFallbacks).toEqual({ fast: ['claude'] });
    expect(router.maxFallbacks).toBe(2);
  });

  it('requires exactly one key per item and reports the item path', () => {
    const lines = issuesOf(() =>
      load({
        fallbacks: [{ 'gpt-4o': ['claude'], claude: ['gpt-4o'] }, 'gpt-4o-mini', { claude: 'gpt-4o' }],
        context_window_fallbacks: [{}],
      }),
    );
    expect(lines).toEqual([
      'router_settings.fallbacks[0]: each item must have exactly one key',
      'router_settings.fallbacks[1]: expected a mapping of one model group to its fallbacks',
      'router_settings.fallbacks[2].claude: expected a list of strings',
      'router_settings.context_window_fallbacks[0]: each item must have exactly one key',
    ]);
  });

  it('reports a group given twice', () => {
    expect(issuesOf(() => load({ fallbacks: [{ 'gpt-4o': ['claude'] }, { 'gpt-4o': ['claude'] }] }))).toEqual(
      [
        'router_settings.fallbacks[1].gpt-4o: fallbacks for "gpt-4o" are already given at router_settings.fallbacks[0].gpt-4o',
      ],
    );
  });

  it('warns about names that match nothing and leaves them out, so they never apply', () => {
    const config = load({
      fallbacks: [{ 'gpt-4o': ['claude', 'gpt-5'] }, { o1: ['claude'] }],
      default_fallbacks: ['claude', 'llama'],
    });
    expect(config.warnings).toEqual([
      'router_settings.fallbacks[0].gpt-4o[1]: no model group, alias or deployment id named "gpt-5" in model_list; ignored',
      'router_settings.fallbacks[1]: no model group or alias named "o1" in model_list; ignored',
      'router_settings.default_fallbacks[1]: no model group, alias or deployment id named "llama" in model_list; ignored',
    ]);
    expect(config.router.fallbacks).toEqual({ 'gpt-4o': ['claude'] });
    expect(config.router.defaultFallbacks).toEqual(['claude']);
  });

  it('reads a plain list of names as fallbacks for every group, and a "*" source as the same', () => {
    const plain = load({ fallbacks: ['gpt-4o-mini', 'claude'] });
    expect(plain.router.fallbacks).toEqual({ '*': ['gpt-4o-mini', 'claude'] });
    expect(plain.warnings).toEqual([]);
    const star = load({ fallbacks: [{ '*': ['claude'] }, { claude: ['gpt-4o'] }] });
    expect(star.router.fallbacks).toEqual({ '*': ['claude'], claude: ['gpt-4o'] });
  });
});

describe('model_group_alias', () => {
  it('accepts plain strings and {model, hidden} values', () => {
    const config = load({
      model_group_alias: { 'gpt-4': 'gpt-4o', cheap: { model: 'gpt-4o-mini', hidden: true } },
    });
    expect(config.router.modelGroupAlias).toEqual({ 'gpt-4': 'gpt-4o', cheap: 'gpt-4o-mini' });
    expect(resolveGroup(config, 'cheap')).toBe('gpt-4o-mini');
  });

  it('warns about an alias to a group that does not exist and drops it: it never hides a group', () => {
    const config = load({ model_group_alias: { 'gpt-4': 'gpt4o', 'gpt-4o': 'prod-gpt-4o' } });
    expect(config.warnings).toEqual([
      'router_settings.model_group_alias.gpt-4: no model group named "gpt4o" in model_list; ignored',
      'router_settings.model_group_alias.gpt-4o: no model group named "prod-gpt-4o" in model_list; ignored',
    ]);
    expect(config.router.modelGroupAlias).toEqual({});
    expect(resolveGroup(config, 'gpt-4o')).toBe('gpt-4o');
  });
});

describe('deployment ids', () => {
  const entry = (apiKey: string, extra: object = {}) => ({
    model_name: 'gpt-4o',
    litellm_params: { model: 'azure/gpt-4o', api_base: 'https://eu.example.com', api_key: apiKey, ...extra },
  });

  it('are stable across key order and processes, and ignore the resolved secret', () => {
    const first = loadConfig({ model_list: [entry('os.environ/AZ_KEY')] }, { env: { AZ_KEY: 'secret-1' } });
    const rotated = loadConfig({ model_list: [entry('os.environ/AZ_KEY')] }, { env: { AZ_KEY: 'secret-2' } });
    const reordered = loadConfig(
      {
        model_list: [
          {
            litellm_params: {
              api_key: 'os.environ/AZ_KEY',
              api_base: 'https://eu.example.com',
              model: 'azure/gpt-4o',
            },
            model_name: 'gpt-4o',
          },
        ],
      },
      { env: { AZ_KEY: 'secret-1' } },
    );
    const id = first.deployments[0]!.id;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.deployments[0]!.id).toBe(id);
    expect(reordered.deployments[0]!.id).toBe(id);
    expect(rotated.deployments[0]!.apiKey).toBe('secret-2');
    expect(deploymentId('gpt-4o', entry('os.environ/AZ_KEY').litellm_params)).toBe(id);
  });

  it('do not depend on a literal secret either, but differ when routing params differ', () => {
    const a = deploymentId('g', { model: 'gpt-4o', api_key: 'sk-one' });
    expect(deploymentId('g', { model: 'gpt-4o', api_key: 'sk-two' })).toBe(a);
    expect(deploymentId('g', { model: 'gpt-4o', api_key: 'sk-one', rpm: 10 })).not.toBe(a);
    expect(deploymentId('h', { model: 'gpt-4o', api_key: 'sk-one' })).not.toBe(a);
    expect(deploymentId('g', { model: 'gpt-4o' }, 42)).toBe('42');
  });

  it('use model_info.id when given, as a string', () => {
    const config = loadConfig({ model_list: [{ ...entry('k'), model_info: { id: 7 } }] }, { env: {} });
    expect(config.deployments[0]!.id).toBe('7');
  });

  it('must be unique: the error names both entries', () => {
    const lines = issuesOf(() =>
      loadConfig(
        {
          model_list: [
            { ...entry('k'), model_info: { id: 'eu' } },
            entry('k', { api_base: 'https://ca.example.com' }),
            { ...entry('k', { api_base: 'https://us.example.com' }), model_info: { id: 'eu' } },
            entry('k', { api_base: 'https://ca.example.com' }),
          ],
        },
        { env: {} },
      ),
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^model_list\[2\]\.model_info\.id: duplicate deployment id eu \(also model_list\[0\]\.model_info\.id\)/,
    );
    expect(lines[1]).toMatch(
      /^model_list\[3\]: duplicate deployment id [0-9a-f]{64} \(also model_list\[1\]\)/,
    );
  });
});

describe('provider resolution', () => {
  const deploymentOf = (litellmParams: object, env: Record<string, string> = {}) =>
    loadConfig({ model_list: [{ model_name: 'g', litellm_params: litellmParams }] }, { env }).deployments[0]!;

  it('resolves prefixes to a wire protocol, model and base URL', () => {
    expect(deploymentOf({ model: 'openai/gpt-4o-mini' })).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      apiBase: 'https://api.openai.com/v1',
    });
    expect(deploymentOf({ model: 'text-completion-openai/gpt-3.5-turbo-instruct' })).toMatchObject({
      provider: 'openai',
      model: 'gpt-3.5-turbo-instruct',
    });
    expect(
      deploymentOf({ model: 'hosted_vllm/meta-llama/Llama-3-8B', api_base: 'http://127.0.0.1:8000/v1//' }),
    ).toMatchObject({
      provider: 'openai',
      model: 'meta-llama/Llama-3-8B',
      apiBase: 'http://127.0.0.1:8000/v1',
    });
    expect(
      deploymentOf({ model: 'gpt-4o', custom_llm_provider: 'custom_openai', api_base: 'http://h/v1' }),
    ).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      apiBase: 'http://h/v1',
    });
    expect(
      deploymentOf({ model: 'azure/my-deploy' }, { AZURE_API_BASE: 'https://x.openai.azure.com/' }),
    ).toMatchObject({
      provider: 'azure',
      model: 'my-deploy',
      apiBase: 'https://x.openai.azure.com',
      apiVersion: '2024-10-21',
    });
  });

  it('reports an unknown prefix with the supported list, and a missing api_base where required', () => {
    const lines = issuesOf(() =>
      loadConfig(
        {
          model_list: [
            { model_name: 'a', litellm_params: { model: 'sagemaker/jumpstart-llama' } },
            { model_name: 'b', litellm_params: { model: 'azure/gpt-4o' } },
            { model_name: 'c', litellm_params: { model: 'custom_openai/llama' } },
            { model_name: 'd', litellm_params: { model: 'openai/gpt-4o', api_base: 'not a url' } },
          ],
        },
        { env: {} },
      ),
    );
    expect(lines[0]).toMatch(
      /^model_list\[0\]\.litellm_params\.model: unknown provider "sagemaker"; supported prefixes: openai, .*azure, anthropic/,
    );
    expect(lines.slice(1)).toEqual([
      'model_list[1].litellm_params.api_base: Required for provider "azure"',
      'model_list[2].litellm_params.api_base: Required for provider "custom_openai"',
      'model_list[3].litellm_params.api_base: expected an http(s) URL',
    ]);
  });
});

describe("model_info's own cooldown settings", () => {
  it('allowed_fails, allowed_fails_policy (every documented form) and cooldown_time reach the deployment', () => {
    const [own, both] = load({}, [
      {
        model_name: 'g',
        litellm_params: { model: 'openai/a' },
        model_info: {
          allowed_fails: 2,
          allowed_fails_policy: { RateLimitErrorAllowedFails: 0, TimeoutErrorAllowedFails: 4 },
          cooldown_time: 12,
        },
      },
      {
        model_name: 'g',
        litellm_params: { model: 'openai/b', cooldown_time: 3 },
        model_info: { cooldown_time: 12 },
      },
    ]).deployments;
    expect(own).toMatchObject({
      allowedFails: 2,
      allowedFailsPolicy: { RateLimitError: 0, Timeout: 4 },
      cooldownTimeSec: 12,
    });
    expect(both!.cooldownTimeSec).toBe(3);
  });

  it('a bad policy is an error naming the deployment', () => {
    expect(
      issuesOf(() =>
        load({}, [
          {
            model_name: 'g',
            litellm_params: { model: 'openai/a' },
            model_info: { allowed_fails_policy: { RateLimitErrorAllowedFails: -1 } },
          },
        ]),
      ).join('\n'),
    ).toContain('model_list[0].model_info.allowed_fails_policy.RateLimitErrorAllowedFails');
  });
});
