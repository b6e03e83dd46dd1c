import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  type Deployment,
  filterByCapabilities,
  loadConfig,
  metricsEnabled,
  nextFallback,
  resolveRetryRule,
  SwitchyardError,
  strategyResolver,
} from '../src/index.ts';

// The LiteLLM config forms issue 10 lists, each read into what the router uses.
const A = { model_name: 'a', litellm_params: { model: 'openai/gpt-4o' }, model_info: { id: 'a1' } };
const B = {
  model_name: 'b',
  litellm_params: { model: 'anthropic/claude-3-5-haiku' },
  model_info: { id: 'b1' },
};

function load(doc: object) {
  return loadConfig(doc, { env: {} });
}

function issuesOf(doc: object): string[] {
  try {
    load(doc);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('model_info', () => {
  it('reads weight, supports_vision and supports_function_calling; litellm_params.weight wins', () => {
    const config = load({
      model_list: [
        {
          ...A,
          model_info: { id: 'a1', weight: 0.1, supports_vision: false, supports_function_calling: true },
        },
        { ...B, litellm_params: { ...B.litellm_params, weight: 3 }, model_info: { id: 'b1', weight: 0.9 } },
      ],
    });
    expect(config.deployments.map((d) => d.weight)).toEqual([0.1, 3]);
    expect(config.deployments[0]!.info).toEqual({ supportsVision: false, supportsFunctionCalling: true });
    expect(config.warnings).toEqual([]);
  });

  it('warns about every key it does not read instead of keeping it aside', () => {
    const config = load({
      model_list: [{ ...A, model_info: { id: 'a1', description: 'x', litellm_provider: 'openai' } }],
    });
    expect(config.warnings).toEqual([
      'model_list[0].model_info.description: unsupported, ignored',
      'model_list[0].model_info.litellm_provider: unsupported, ignored',
    ]);
  });
});

describe('router-wide request settings', () => {
  it('puts default_litellm_params under every deployment’s own params; unknown keys warned', () => {
    const config = load({
      model_list: [{ ...A, litellm_params: { ...A.litellm_params, temperature: 0.9 } }, B],
      router_settings: { default_litellm_params: { temperature: 0.1, max_tokens: 50, api_key: 'x', foo: 1 } },
    });
    expect(config.deployments.map((d) => d.extraParams)).toEqual([
      { temperature: 0.9, max_tokens: 50 },
      { temperature: 0.1, max_tokens: 50 },
    ]);
    expect(config.warnings).toEqual([
      'router_settings.default_litellm_params.api_key: unsupported, ignored',
      'router_settings.default_litellm_params.foo: unsupported, ignored',
    ]);
  });

  it('reads drop_params router-wide, a deployment’s own value winning', () => {
    const config = load({
      model_list: [A, { ...B, litellm_params: { ...B.litellm_params, drop_params: false } }],
      litellm_settings: { drop_params: true },
    });
    expect(config.deployments.map((d) => d.dropParams)).toEqual([true, false]);
  });

  it('runs "prometheus" (metrics on) and names every callback it does not run', () => {
    const config = load({
      model_list: [A],
      litellm_settings: { success_callback: ['langfuse', 'prometheus'], failure_callback: ['sentry'] },
    });
    expect(config.warnings).toEqual([
      'litellm_settings.success_callback[0]: callback "langfuse" is not supported, ignored',
      'litellm_settings.failure_callback[0]: callback "sentry" is not supported, ignored',
    ]);
    expect(config.callbacks).toEqual({ prometheus: true, otel: false, sinks: [] });
    expect(metricsEnabled(config)).toBe(true);
  });

  it('turns metrics on with `callbacks: [prometheus]` or switchyard_settings.metrics, off otherwise', () => {
    expect(metricsEnabled(load({ model_list: [A], litellm_settings: { callbacks: 'prometheus' } }))).toBe(
      true,
    );
    expect(metricsEnabled(load({ model_list: [A], switchyard_settings: { metrics: true } }))).toBe(true);
    expect(metricsEnabled(load({ model_list: [A] }))).toBe(false);
  });
});

describe('caching', () => {
  it('reads cache_kwargs (ttl, namespace, type) over cache_params, and caching_groups', () => {
    const { router, warnings } = load({
      model_list: [A, B],
      router_settings: {
        cache_responses: true,
        cache_params: { ttl: 60, namespace: 'p' },
        cache_kwargs: { ttl: 600, type: 'local' },
        caching_groups: [['a', 'b', 'c']],
      },
    });
    expect(router.cache).toEqual({ ttlSec: 600, namespace: 'p', type: 'local', groups: [['a', 'b']] });
    expect(warnings).toEqual([
      'router_settings.caching_groups[0][2]: no model group named "c" in model_list; ignored',
    ]);
  });

  it('warns when cache settings are given but caching is off', () => {
    const { router, warnings } = load({ model_list: [A], router_settings: { cache_kwargs: { ttl: 5 } } });
    expect(router.cache).toBeUndefined();
    expect(warnings).toEqual([
      'router_settings.cache_kwargs: caching is off (set cache_responses: true), ignored',
    ]);
  });

  it('refuses a cache type it does not have', () => {
    expect(
      issuesOf({ model_list: [A], router_settings: { cache: true, cache_kwargs: { type: 's3' } } }),
    ).toEqual(['router_settings.cache_kwargs.type: expected redis or local (the caches Switchyard has)']);
  });
});

describe('redis settings', () => {
  const doc = (settings: object) => ({ model_list: [A], router_settings: settings });

  it('uses redis_url when REDIS_URL is unset, and never shows its password', () => {
    const config = loadConfig(doc({ redis_url: 'redis://:pw@cache:6380/2', redis_host: 'h' }), { env: {} });
    expect(config.redis).toEqual({
      url: 'redis://:pw@cache:6380/2',
      displayUrl: 'redis://:***@cache:6380/2',
      source: 'router_settings.redis_url',
    });
    expect(config.warnings).toEqual([
      'router_settings.redis_host: not used, router_settings.redis_url is given',
    ]);
  });

  it('needs the variables its keys name only when it reads them', () => {
    const settings = doc({ redis_host: 'os.environ/RH', redis_password: 'os.environ/RP' });
    expect(() => loadConfig(settings, { env: {} })).toThrow(
      'router_settings.redis_host: environment variable RH is not set',
    );
    expect(loadConfig(settings, { env: { RH: 'h', RP: 'p' } }).redis?.url).toBe('redis://:p@h:6379');
    expect(loadConfig(settings, { env: { REDIS_URL: 'redis://x' } }).redis).toBeUndefined();
  });

  it('refuses a redis_url that is not one', () => {
    expect(issuesOf(doc({ redis_url: 'localhost:6379' }))).toEqual([
      'router_settings.redis_url: expected a redis:// or rediss:// URL',
    ]);
  });
});

describe('routing strategies', () => {
  it('routing_strategy custom needs custom_routing_strategy', () => {
    expect(issuesOf({ model_list: [A], router_settings: { routing_strategy: 'custom' } })).toEqual([
      'router_settings.routing_strategy: custom needs custom_routing_strategy: <module path>',
    ]);
  });

  it('gives each group of model_group_routing_strategy its own strategy', () => {
    const { router, warnings } = load({
      model_list: [A, B],
      router_settings: {
        routing_strategy: 'cost-based-routing',
        model_group_routing_strategy: { a: 'latency-based-routing', zz: 'least-busy' },
      },
    });
    const strategyOf = strategyResolver(router);
    expect([strategyOf('a').name, strategyOf('b').name]).toEqual([
      'latency-based-routing',
      'cost-based-routing',
    ]);
    expect(warnings).toEqual([
      'router_settings.model_group_routing_strategy.zz: no model group named "zz" in model_list; ignored',
    ]);
  });
});

describe('planner', () => {
  it('applies the router-wide retry rule: its count unless the deployment sets one, its backoff under every rule', () => {
    const { router } = load({
      model_list: [A],
      router_settings: {
        num_retries: 1,
        retry_policy: { max_retries: 5, base_delay: 1, RateLimitErrorRetries: 2 },
      },
    });
    expect(resolveRetryRule(router, 'a', 'InternalServerError', {})).toEqual({
      maxRetries: 5,
      baseDelayMs: 1000,
      excludeFailed: false,
    });
    expect(resolveRetryRule(router, 'a', 'InternalServerError', { numRetries: 0 }).maxRetries).toBe(0);
    expect(resolveRetryRule(router, 'a', 'RateLimitError', {})).toEqual({
      maxRetries: 2,
      baseDelayMs: 1000,
      excludeFailed: false,
    });
    expect(resolveRetryRule(router, 'a', 'BadRequestError', {}).maxRetries).toBe(0);
  });

  it('takes a "*" source list for any group without its own, for each list kind', () => {
    const { router } = load({
      model_list: [A, B, { ...A, model_name: 'c', model_info: { id: 'c1' } }],
      router_settings: {
        fallbacks: [{ '*': ['b'] }, { b: ['c'] }],
        content_policy_fallbacks: [{ '*': ['c'] }],
      },
    });
    const state = { chain: [], fallbacksUsed: 0 };
    expect(nextFallback(router, { ...state, group: 'a', triedGroups: ['a'] }, 'Timeout')?.group).toBe('b');
    expect(nextFallback(router, { ...state, group: 'b', triedGroups: ['b'] }, 'Timeout')?.group).toBe('c');
    expect(
      nextFallback(router, { ...state, group: 'a', triedGroups: ['a'] }, 'ContentPolicyViolationError')
        ?.group,
    ).toBe('c');
  });
});

describe('pre-call capability checks', () => {
  const deployments = load({
    model_list: [
      { ...A, model_info: { id: 'blind', supports_vision: false, supports_function_calling: false } },
      { ...A, model_info: { id: 'seeing', supports_vision: true } },
    ],
  }).deployments;
  const ids = (list: Deployment[]) => list.map((d) => d.id);
  const image = { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] };

  it('skips deployments that say they cannot take images or tools; unknown stays', () => {
    expect(ids(filterByCapabilities(deployments, 'chat.completions', { messages: [image] }))).toEqual([
      'seeing',
    ]);
    expect(
      ids(
        filterByCapabilities(deployments, 'chat.completions', {
          messages: [],
          tools: [{ type: 'function' }],
        }),
      ),
    ).toEqual(['seeing']);
    expect(
      ids(
        filterByCapabilities(deployments, 'chat.completions', {
          messages: [{ role: 'user', content: 'hi' }],
        }),
      ),
    ).toEqual(['blind', 'seeing']);
  });

  it('fails with BadRequestError naming the group and capability when none can', () => {
    const run = () =>
      filterByCapabilities(deployments.slice(0, 1), 'chat.completions', { messages: [image] });
    expect(run).toThrow(SwitchyardError);
    expect(run).toThrow(
      'the request carries images (supports_vision), which no deployment of model group a supports',
    );
  });
});
