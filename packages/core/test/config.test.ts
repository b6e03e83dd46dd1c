import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasNestedRepeat } from '../src/config/tag-regex.ts';
import { ConfigError, groupsOf, loadConfig, loadConfigFile, resolveGroup } from '../src/index.ts';

const ENV = {
  REDIS_HOST: 'redis.internal',
  REDIS_PASSWORD: 's3cret/',
  AZURE_API_KEY_EU: 'az-eu-secret',
  AZURE_API_KEY_CA: 'az-ca-secret',
  OPENAI_API_KEY: 'sk-openai-secret',
  ANTHROPIC_API_KEY: 'sk-ant-secret',
};

// Assembled from LiteLLM's proxy docs (config.yaml, load balancing, reliability pages), unchanged.
const LITELLM_DOCS_CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o-eu
      api_base: https://my-endpoint-europe.openai.azure.com/
      api_key: os.environ/AZURE_API_KEY_EU
      api_version: "2024-06-01"
      rpm: 6
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o-ca
      api_base: https://my-endpoint-canada.openai.azure.com/
      api_key: os.environ/AZURE_API_KEY_CA
      rpm: 6
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
      rpm: 1440
      tpm: 100000
      temperature: 0.2
      organization: org-123
    model_info:
      id: 1234
      input_cost_per_token: 0.0000025
      supports_vision: true
  - model_name: claude-3-5-sonnet
    litellm_params:
      model: anthropic/claude-3-5-sonnet-20240620
      api_key: os.environ/ANTHROPIC_API_KEY
      timeout: 30
      stream_timeout: 60
  - model_name: gpt-3.5-turbo
    litellm_params:
      model: gpt-3.5-turbo
      api_key: os.environ/OPENAI_API_KEY
      max_retries: 4
      cooldown_time: 0
    tpm: 2000

litellm_settings:
  num_retries: 3
  request_timeout: 10
  fallbacks: [{"gpt-4o": ["claude-3-5-sonnet"]}]
  context_window_fallbacks: [{"gpt-3.5-turbo": ["gpt-4o"]}]
  drop_params: True
  set_verbose: False

router_settings:
  routing_strategy: usage-based-routing-v2
  redis_host: os.environ/REDIS_HOST
  redis_password: os.environ/REDIS_PASSWORD
  redis_port: 1992
  enable_pre_call_checks: true
  allowed_fails: 3
  cooldown_time: 30
  retry_policy: {"AuthenticationErrorRetries": 0, "TimeoutErrorRetries": 3, "RateLimitErrorRetries": 3, "ContentPolicyViolationErrorRetries": 4, "InternalServerErrorRetries": 4}
  allowed_fails_policy: {"BadRequestErrorAllowedFails": 1000, "AuthenticationErrorAllowedFails": 10, "TimeoutErrorAllowedFails": 12, "RateLimitErrorAllowedFails": 10000, "ContentPolicyViolationErrorAllowedFails": 15, "InternalServerErrorAllowedFails": 20}
  model_group_alias: {"gpt-4": "gpt-4o"}

general_settings:
  master_key: sk-1234
`;

/** The config error's lines (`<path>: <message>`), or a failure if the config loaded. */
function problems(input: string | object, env: Record<string, string | undefined> = ENV): string[] {
  try {
    loadConfig(input, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the config to be rejected');
}

/** A minimal valid document with the given extra router_settings. */
function withRouter(
  routerSettings: object,
  modelList: object[] = [{ model_name: 'a', litellm_params: { model: 'gpt-4o' } }],
) {
  return { model_list: modelList, router_settings: routerSettings };
}

describe('loading a LiteLLM config from the docs', () => {
  const config = loadConfig(LITELLM_DOCS_CONFIG, { env: ENV });

  it('turns every model_list entry into a deployment with its provider resolved', () => {
    expect(config.deployments.map((d) => [d.modelGroup, d.provider, d.model, d.apiBase])).toEqual([
      ['gpt-4o', 'azure', 'gpt-4o-eu', 'https://my-endpoint-europe.openai.azure.com'],
      ['gpt-4o', 'azure', 'gpt-4o-ca', 'https://my-endpoint-canada.openai.azure.com'],
      ['gpt-4o', 'openai', 'gpt-4o', 'https://api.openai.com/v1'],
      ['claude-3-5-sonnet', 'anthropic', 'claude-3-5-sonnet-20240620', 'https://api.anthropic.com'],
      ['gpt-3.5-turbo', 'openai', 'gpt-3.5-turbo', 'https://api.openai.com/v1'],
    ]);
    const [eu, ca, openai, claude, turbo] = config.deployments;
    expect(eu?.apiKey).toBe('az-eu-secret');
    expect(eu?.apiVersion).toBe('2024-06-01');
    expect(ca?.apiVersion).toBe('2024-10-21');
    expect(eu?.rpm).toBe(6);
    expect(openai).toMatchObject({ id: '1234', rpm: 1440, tpm: 100000, litellmModel: 'openai/gpt-4o' });
    expect(openai?.extraParams).toEqual({ temperature: 0.2, organization: 'org-123' });
    expect(openai?.info).toEqual({ inputCostPerToken: 0.0000025, supportsVision: true });
    expect(claude?.timeoutMs).toBe(30_000);
    expect(turbo).toMatchObject({ tpm: 2000, numRetries: 4, cooldownTimeSec: 0 });
  });

  it('merges litellm_settings and router_settings into router settings', () => {
    const { router } = config;
    expect(router.routingStrategy).toBe('usage-based-routing-v2');
    expect(router.numRetries).toBe(3);
    expect(router.timeoutMs).toBe(10_000);
    expect(router.cooldownTimeSec).toBe(30);
    expect(router.enablePreCallChecks).toBe(true);
    expect(router.fallbacks).toEqual({ 'gpt-4o': ['claude-3-5-sonnet'] });
    expect(router.contextWindowFallbacks).toEqual({ 'gpt-3.5-turbo': ['gpt-4o'] });
    expect(router.retryPolicy).toEqual({
      AuthenticationError: { maxRetries: 0 },
      Timeout: { maxRetries: 3 },
      RateLimitError: { maxRetries: 3 },
      ContentPolicyViolationError: { maxRetries: 4 },
      InternalServerError: { maxRetries: 4 },
    });
    expect(router.allowedFailsPolicy).toEqual({
      BadRequestError: 1000,
      AuthenticationError: 10,
      Timeout: 12,
      RateLimitError: 10000,
      ContentPolicyViolationError: 15,
      InternalServerError: 20,
    });
    expect(router.modelGroupAlias).toEqual({ 'gpt-4': 'gpt-4o' });
  });

  it('lists every unsupported or unused key as a warning instead of dropping it silently', () => {
    expect(config.warnings).toEqual(
      expect.arrayContaining(['litellm_settings.set_verbose: ignored; set LOG_LEVEL=debug for verbose logs']),
    );
    // general_settings.master_key is read (the gateway's admin key), so it is not in the warning.
    expect(config.warnings).toHaveLength(1);
    expect(config.masterKey).toBe('sk-1234');
  });

  it('reads stream_timeout as the time allowed until the first chunk of a streaming call', () => {
    expect(config.deployments.find((d) => d.modelGroup === 'claude-3-5-sonnet')?.streamTimeoutMs).toBe(
      60_000,
    );
  });

  it('reads drop_params and the Redis named by redis_host / redis_port / redis_password', () => {
    expect(config.deployments.every((d) => d.dropParams === true)).toBe(true);
    expect(config.redis).toEqual({
      url: 'redis://:s3cret%2F@redis.internal:1992',
      displayUrl: 'redis://:***@redis.internal:1992',
      source: 'router_settings.redis_host, router_settings.redis_port, router_settings.redis_password',
    });
  });

  it('applies switchyard defaults when switchyard_settings is absent', () => {
    expect(config.switchyard).toEqual({
      queueName: 'switchyard',
      resultTtlSec: 3600,
      lockDurationMs: 30_000,
      allowMockParams: false,
      maxRequestRetries: 10,
      cacheMaxEntryBytes: 1_048_576,
      maxAudioBytes: 26_214_400,
      storeModelInDb: false,
      metrics: false,
      events: false,
      eventsMaxLen: 10_000,
      callbackBufferSize: 10_000,
      streamMaxEntries: 10_000,
      queueShards: 1,
      leaseUnits: 16,
      leaseTtlMs: 100,
    });
  });

  it('groups deployments and resolves aliases', () => {
    const groups = groupsOf(config);
    expect([...groups.keys()]).toEqual(['gpt-4o', 'claude-3-5-sonnet', 'gpt-3.5-turbo']);
    expect(groups.get('gpt-4o')).toHaveLength(3);
    expect(resolveGroup(config, 'gpt-4')).toBe('gpt-4o');
    expect(resolveGroup(config, 'claude-3-5-sonnet')).toBe('claude-3-5-sonnet');
    expect(resolveGroup(config, 'gpt-5')).toBeUndefined();
  });
});

describe('defaults', () => {
  it('uses LiteLLM router defaults, with a 600 s timeout', () => {
    const { router } = loadConfig(withRouter({}), { env: {} });
    expect(router).toMatchObject({
      routingStrategy: 'simple-shuffle',
      numRetries: 2,
      retryAfterSec: 0,
      allowedFails: 3,
      cooldownTimeSec: 5,
      disableCooldowns: false,
      maxFallbacks: 5,
      timeoutMs: 600_000,
      enablePreCallChecks: false,
      fallbacks: {},
      defaultFallbacks: [],
    });
  });

  it('lets router_settings win over litellm_settings key by key', () => {
    const { router } = loadConfig(
      {
        model_list: [{ model_name: 'a', litellm_params: { model: 'gpt-4o' } }],
        litellm_settings: { num_retries: 7, request_timeout: 50, cooldown_time: 9 },
        router_settings: { num_retries: 1, timeout: 20 },
      },
      { env: {} },
    );
    expect(router).toMatchObject({ numRetries: 1, timeoutMs: 20_000, cooldownTimeSec: 9 });
  });

  it('reads switchyard_settings', () => {
    const config = loadConfig(
      {
        model_list: [],
        switchyard_settings: {
          queue_name: 'llm',
          result_ttl_seconds: 60,
          job_deadline_seconds: 90,
          lock_duration_ms: 5000,
          allow_mock_params: true,
          max_request_retries: 2,
          cache_max_entry_bytes: 1000,
          max_audio_bytes: 1_000_000,
        },
      },
      { env: {} },
    );
    expect(config.switchyard).toEqual({
      queueName: 'llm',
      resultTtlSec: 60,
      jobDeadlineMs: 90_000,
      lockDurationMs: 5000,
      allowMockParams: true,
      maxRequestRetries: 2,
      cacheMaxEntryBytes: 1000,
      maxAudioBytes: 1_000_000,
      storeModelInDb: false,
      metrics: false,
      events: false,
      eventsMaxLen: 10_000,
      callbackBufferSize: 10_000,
      streamMaxEntries: 10_000,
      queueShards: 1,
      leaseUnits: 16,
      leaseTtlMs: 100,
    });
  });
});

describe('validation errors name the offending path', () => {
  it('reports a missing model and other bad fields with LiteLLM-style paths, all at once', () => {
    const lines = problems({
      model_list: [
        { model_name: 'a', litellm_params: { model: 'gpt-4o' } },
        { model_name: 'b', litellm_params: { model: 'gpt-4o', rpm: -1, tags: 'x' } },
        { model_name: 'c', litellm_params: { api_key: 'k' } },
        { litellm_params: { model: 'gpt-4o', timeout: 'soon' } },
      ],
      router_settings: { num_retries: 1.5, routing_strategy: 'fastest', disable_cooldowns: 'yes' },
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        'model_list[1].litellm_params.rpm: expected a non-negative integer',
        'model_list[1].litellm_params.tags: expected a list of strings',
        'model_list[2].litellm_params.model: Required',
        'model_list[3].model_name: Required',
        'model_list[3].litellm_params.timeout: expected a positive number',
        'router_settings.num_retries: expected a non-negative integer',
        'router_settings.disable_cooldowns: expected true or false',
      ]),
    );
    expect(lines.find((line) => line.startsWith('router_settings.routing_strategy'))).toMatch(
      /expected one of simple-shuffle, least-busy, .*cost-based-routing/,
    );
  });

  it('puts the paths in the thrown message, one per line', () => {
    expect(() => loadConfig({ model_list: [{ model_name: 'a', litellm_params: {} }] }, { env: {} })).toThrow(
      'model_list[0].litellm_params.model: Required',
    );
  });

  it('rejects a document without model_list and YAML syntax errors', () => {
    expect(problems('router_settings: {}\n')).toEqual(['model_list: Required']);
    expect(problems('model_list: [\n')[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('accepts numeric strings (what os.environ references resolve to)', () => {
    const config = loadConfig(
      withRouter({ num_retries: 'os.environ/RETRIES', timeout: '12.5' }, [
        { model_name: 'a', litellm_params: { model: 'gpt-4o', rpm: '100', timeout: 'os.environ/TIMEOUT' } },
      ]),
      { env: { RETRIES: '4', TIMEOUT: '3' } },
    );
    expect(config.router.numRetries).toBe(4);
    expect(config.router.timeoutMs).toBe(12_500);
    expect(config.deployments[0]).toMatchObject({ rpm: 100, timeoutMs: 3000 });
  });
});

describe('os.environ references', () => {
  it('names the path and the variable when it is not set', () => {
    const lines = problems(
      {
        model_list: [
          { model_name: 'a', litellm_params: { model: 'gpt-4o', api_key: 'os.environ/OPENAI_API_KEY' } },
          { model_name: 'b', litellm_params: { model: 'gpt-4o', api_key: 'os.environ/OPENAI_KEY' } },
        ],
        router_settings: { cooldown_time: 'os.environ/COOLDOWN' },
      },
      { OPENAI_API_KEY: 'sk-1', OPENAI_KEY: '' },
    );
    expect(lines).toEqual([
      'model_list[1].litellm_params.api_key: environment variable OPENAI_KEY is not set',
      'router_settings.cooldown_time: environment variable COOLDOWN is not set',
    ]);
  });

  it('never puts a resolved secret in an error message', () => {
    const error = (() => {
      try {
        loadConfig(
          { model_list: [{ model_name: 'a', litellm_params: { model: 'nope/x', api_key: 'os.environ/K' } }] },
          { env: { K: 'sk-very-secret' } },
        );
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain('model_list[0].litellm_params.model: unknown provider "nope"');
    expect(error?.message).not.toContain('sk-very-secret');
  });

  it('does not require variables that only ignored keys reference', () => {
    const config = loadConfig(
      withRouter({ redis_host: 'os.environ/REDIS_HOST' }, [
        {
          model_name: 'a',
          litellm_params: { model: 'gpt-4o', aws_role_secret: 'os.environ/AWS_SECRET' },
        },
      ]),
      { env: { REDIS_URL: 'redis://elsewhere:6379' } },
    );
    expect(config.warnings).toContain('model_list[0].litellm_params.aws_role_secret: unsupported, ignored');
    expect(config.warnings).toContain('router_settings.redis_host: not used, REDIS_URL is set');
    expect(config.redis).toBeUndefined();
    expect(config.deployments[0]?.extraParams).toEqual({});
  });

  it('falls back to the provider key variable, as LiteLLM does', () => {
    const config = loadConfig(
      {
        model_list: [
          { model_name: 'a', litellm_params: { model: 'gpt-4o' } },
          { model_name: 'b', litellm_params: { model: 'claude-3-haiku' } },
        ],
      },
      { env: { OPENAI_API_KEY: 'sk-o', ANTHROPIC_API_KEY: 'sk-a' } },
    );
    expect(config.deployments.map((d) => [d.provider, d.apiKey])).toEqual([
      ['openai', 'sk-o'],
      ['anthropic', 'sk-a'],
    ]);
  });
});

describe('custom_routing_strategy', () => {
  it('resolves the module path against the config file directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-config-'));
    writeFileSync(join(dir, 'strategy.ts'), 'export default {};\n');
    writeFileSync(
      join(dir, 'config.yaml'),
      'model_list:\n  - model_name: a\n    litellm_params: {model: gpt-4o}\nrouter_settings:\n  custom_routing_strategy: ./strategy.ts\n',
    );
    expect(loadConfigFile(join(dir, 'config.yaml'), { env: {} }).router.customStrategyPath).toBe(
      join(dir, 'strategy.ts'),
    );
  });

  it('reports a module that does not exist', () => {
    const lines = problems(withRouter({ custom_routing_strategy: './missing-strategy.ts' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^router_settings\.custom_routing_strategy: module not found: .*missing-strategy\.ts$/,
    );
  });

  it('reports an unreadable config file as a config error', () => {
    expect(() => loadConfigFile('/nonexistent/switchyard.yaml')).toThrow(ConfigError);
  });
});

// LiteLLM's tag routing page, "Regex-based tag routing", with an OpenAI model in place of Bedrock.
const LITELLM_EXAMPLE = `
model_list:
  - model_name: claude-sonnet
    litellm_params:
      model: openai/gpt-4o
      api_key: sk-1
      tag_regex:
        - "^User-Agent: claude-code\\\\/"
    model_info:
      id: claude-code-deployment
  - model_name: claude-sonnet
    litellm_params:
      model: openai/gpt-4o
      api_key: sk-2
      tags:
        - default
    model_info:
      id: regular-deployment
router_settings:
  enable_tag_filtering: true
`;

function withPatterns(patterns: unknown) {
  return { model_list: [{ model_name: 'a', litellm_params: { model: 'gpt-4o', tag_regex: patterns } }] };
}

describe('tag_regex in the config', () => {
  it("loads LiteLLM's example unchanged, tag_regex unwarned, as patterns over the header line", () => {
    const config = loadConfig(LITELLM_EXAMPLE, { env: {} });
    expect(config.warnings).toEqual([
      'router_settings.enable_tag_filtering: not needed: tag routing is always on (metadata.tags, tag_regex)',
    ]);
    const [dedicated, regular] = config.deployments;
    expect(dedicated!.tagRegex?.map((r) => r.source)).toEqual(['^User-Agent: claude-code\\/']);
    expect(dedicated!.tagRegex![0]!.test('User-Agent: claude-code/1.2.3')).toBe(true);
    expect(regular!.tagRegex).toBeUndefined();
  });

  it("turns Python's leading (?i) / (?s) / (?m) into flags and refuses the flags JavaScript lacks", () => {
    const config = loadConfig(withPatterns(['(?i)^user-agent: CLAUDE']), { env: ENV });
    const [regex] = config.deployments[0]!.tagRegex!;
    expect(regex!.flags).toBe('i');
    expect(regex!.test('User-Agent: claude-code/1.0')).toBe(true);
    expect(problems(withPatterns(['(?x)^a b']))).toEqual([
      'model_list[0].litellm_params.tag_regex[0]: flag "x" of "(?x)" has no JavaScript equivalent (i, m, s do)',
    ]);
  });

  it('names each pattern that is not a regular expression, or not a list of strings', () => {
    const lines = problems(withPatterns(['^ok', '(unclosed', '[z-a]']));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^model_list\[0\]\.litellm_params\.tag_regex\[1\]: not a valid regular expression/,
    );
    expect(lines[1]).toMatch(
      /^model_list\[0\]\.litellm_params\.tag_regex\[2\]: not a valid regular expression/,
    );
    expect(problems(withPatterns('^claude'))).toEqual([
      'model_list[0].litellm_params.tag_regex: expected a list of strings',
    ]);
  });

  it('refuses a repeated group with a repeat inside, which a hostile User-Agent makes take exponential time', () => {
    expect(problems(withPatterns(['^User-Agent: (a+)+$']))).toEqual([
      expect.stringMatching(
        /^model_list\[0\]\.litellm_params\.tag_regex\[0\]: a repeated group contains a repeat/,
      ),
    ]);
  });
});

describe('hasNestedRepeat', () => {
  it.each(['(a+)+', '(a*)*b', '((ab)+c)*', '(?:x\\d{1,9}){2,}', '(a+b)*', '(?<n>\\w+)+'])(
    'finds %s',
    (source) => {
      expect(hasNestedRepeat(source)).toBe(true);
    },
  );

  it.each([
    '^User-Agent: claude-code\\/',
    '^User-Agent: (claude-code|codex)\\/\\d+',
    '(a+)?',
    '(ab){3}',
    '(a+)b+',
    '[(a+)]+',
    '\\(a+\\)+',
    'a{1}(b+){0,1}',
    '.*claude.*',
  ])('passes %s', (source) => {
    expect(hasNestedRepeat(source)).toBe(false);
  });
});
