// Every seed config loads, warns about exactly what it does not apply, and means what its comments say in
// the settings the router reads. Behaviour through real workers is in the per-file tests beside this one.
import { readdirSync } from 'node:fs';
import {
  type Deployment,
  nextFallback,
  resolveRetryRule,
  retryDelayMs,
  strategyResolver,
} from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { loadSeed, readSeed, SEED_DIR } from './seed.ts';

const load = (name: string, env: Record<string, string> = {}) => loadSeed(readSeed(name), env);

/** Start-up warnings each file must give (REDIS_URL set, as in every test stack). */
const WARNINGS: Record<string, string[]> = {
  'api-caching.yaml': [
    'router_settings.redis_url: not used, REDIS_URL is set',
    'router_settings.client_ttl: no meaning for Switchyard (it keeps no SDK clients to cache), ignored',
  ],
  'api-cost.yaml': [],
  'api-retry-backoff.yaml': [],
  'api-router-init.yaml': [],
  'guide-caching-local.yaml': [],
  'guide-context-window.yaml': [
    'litellm_settings.context_window_fallbacks[1]: no model group or alias named "gpt-4" in model_list; ignored',
  ],
  'guide-fallbacks.yaml': [],
  'guide-production.yaml': [
    'litellm_settings.set_verbose: ignored; set LOG_LEVEL=debug for verbose logs',
    'router_settings.redis_host: not used, REDIS_URL is set',
    'router_settings.redis_port: not used, REDIS_URL is set',
    'router_settings.redis_password: not used, REDIS_URL is set',
    'router_settings.model_group_alias.gpt-4: no model group named "prod-gpt-4" in model_list; ignored',
    'router_settings.model_group_alias.gpt4: no model group named "prod-gpt-4" in model_list; ignored',
    'litellm_settings.success_callback[0]: callback "langfuse" is not supported, ignored',
    'litellm_settings.failure_callback[0]: callback "sentry" is not supported, ignored',
    'litellm_settings.context_window_fallbacks[0]["gpt-3.5-turbo"][0]: no model group, alias or deployment id named "gpt-3.5-turbo-16k" in model_list; ignored',
  ],
  'guide-usage-based.yaml': [
    'router_settings.fallbacks[0].gpt-4[0]: no model group, alias or deployment id named "gpt-3.5-turbo" in model_list; ignored',
  ],
  'intro-ab-weights.yaml': [],
  'intro-failover.yaml': [],
  'intro-latency.yaml': [],
  'tutorial-pools.yaml': [
    'router_settings.context_window_fallbacks[0].capable[0]: no model group, alias or deployment id named "capable-32k" in model_list; ignored',
  ],
};

describe('every seed config', () => {
  it('is covered here (a new file in the fixtures needs its expectations)', () => {
    const files = readdirSync(SEED_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.sort()).toEqual(Object.keys(WARNINGS).sort());
  });

  for (const [name, warnings] of Object.entries(WARNINGS)) {
    it(`${name} loads and warns about exactly what it does not apply`, () => {
      expect(load(name).warnings).toEqual(warnings);
    });
  }
});

const never = () => 0;
const always = () => 0.999_999;

describe('api-retry-backoff.yaml', () => {
  const { router, deployments } = load('api-retry-backoff.yaml');
  const rule = resolveRetryRule(router, 'gpt-4', 'InternalServerError', deployments[0]!);
  const delay = (retryIndex: number, random: () => number, retryAfterMs?: number) =>
    retryDelayMs({
      rule,
      retryIndex,
      hasHealthyAlternative: false,
      minDelayMs: 0,
      random,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });

  it('retries up to 5 times, waiting 1 s doubling to at most 60 s, with jitter', () => {
    expect(rule.maxRetries).toBe(5);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => delay(i, never))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
    // jitter: true draws each wait below its ceiling (the default share, a quarter).
    expect(delay(0, always)).toBeLessThan(1000);
    expect(delay(0, always)).toBeGreaterThanOrEqual(750);
  });

  it('waits a provider retry-after when it is longer', () => {
    expect(delay(0, never, 7000)).toBe(7000);
    expect(delay(3, never, 2000)).toBe(8000);
  });

  it('counts 2 allowed failures a minute, then cools for 300 s', () => {
    expect(router).toMatchObject({ allowedFails: 2, allowedFailsSet: true, cooldownTimeSec: 300 });
  });
});

describe('api-router-init.yaml', () => {
  const { router, deployments } = load('api-router-init.yaml');

  it('reads least-busy, 3 retries, at most 2 fallbacks, 30 s, pre-call checks and model_info ids', () => {
    expect(router).toMatchObject({
      routingStrategy: 'least-busy',
      numRetries: 3,
      maxFallbacks: 2,
      timeoutMs: 30_000,
      enablePreCallChecks: true,
    });
    expect(deployments.map((d) => d.id).slice(0, 2)).toEqual(['primary-deployment', 'backup-deployment']);
  });

  it('reads the plain fallbacks list as fallbacks for every group, in order', () => {
    const from = (group: string) =>
      nextFallback(router, { group, chain: [], triedGroups: [group], fallbacksUsed: 0 }, 'Timeout')?.group;
    expect(from('gpt-4-primary')).toBe('gpt-3.5-turbo');
    expect(from('gpt-4-fallback')).toBe('gpt-3.5-turbo');
    expect(from('gpt-3.5-turbo')).toBe('claude-3-haiku-20240307');
  });
});

describe('guide-production.yaml', () => {
  const { router, deployments } = load('guide-production.yaml');

  it('retries RateLimitError 5 times, Timeout 2, anything else 3', () => {
    const d = deployments[0]!;
    expect(resolveRetryRule(router, 'gpt-4', 'RateLimitError', d).maxRetries).toBe(5);
    expect(resolveRetryRule(router, 'gpt-4', 'Timeout', d).maxRetries).toBe(2);
    expect(resolveRetryRule(router, 'gpt-4', 'InternalServerError', d).maxRetries).toBe(3);
  });

  it('reads latency routing, 3 allowed fails, a 120 s cooldown, caching and drop_params', () => {
    expect(router).toMatchObject({
      routingStrategy: 'latency-based-routing',
      routingStrategyArgs: { ttl: 60 },
      allowedFails: 3,
      cooldownTimeSec: 120,
      cache: { ttlSec: 3600, type: 'redis', groups: [] },
      modelGroupAlias: {},
      fallbacks: { 'gpt-4': ['gpt-3.5-turbo', 'claude-2'] },
      contextWindowFallbacks: { 'gpt-3.5-turbo': [] },
    });
    expect(deployments.every((d) => d.dropParams === true)).toBe(true);
    expect(deployments.map((d: Deployment) => [d.provider, d.rpm, d.tpm])).toEqual([
      ['azure', 1000, 100000],
      ['azure', 1500, 150000],
      ['openai', 900, 90000],
      ['openai', 10000, 1000000],
      ['anthropic', 1000, 100000],
    ]);
  });

  it('names the Redis of redis_host / redis_port / redis_password when REDIS_URL is unset, password hidden', () => {
    const config = loadSeed(readSeed('guide-production.yaml'), { REDIS_URL: '', REDIS_PASSWORD: 'pw' });
    expect(config.redis).toEqual({
      url: 'redis://:pw@localhost:6379',
      displayUrl: 'redis://:***@localhost:6379',
      source: 'router_settings.redis_host, router_settings.redis_port, router_settings.redis_password',
    });
  });
});

describe('guide-usage-based.yaml', () => {
  it('reads rpm/tpm written at the entry’s top level', () => {
    const { deployments, router } = load('guide-usage-based.yaml');
    expect(deployments.map((d) => [d.rpm, d.tpm])).toEqual([
      [1000, 100000],
      [900, 90000],
    ]);
    expect(router).toMatchObject({
      routingStrategy: 'usage-based-routing',
      numRetries: 3,
      timeoutMs: 30_000,
    });
    expect(router.fallbacks).toEqual({ 'gpt-4': [] });
  });
});

describe('intro-ab-weights.yaml and intro-latency.yaml', () => {
  it('reads the A/B weights from model_info', () => {
    expect(load('intro-ab-weights.yaml').deployments.map((d) => [d.provider, d.weight])).toEqual([
      ['openai', 0.1],
      ['anthropic', 0.9],
    ]);
  });

  it('reads the latency ttl', () => {
    expect(load('intro-latency.yaml').router).toMatchObject({
      routingStrategy: 'latency-based-routing',
      routingStrategyArgs: { ttl: 25 },
    });
  });
});

describe('tutorial-pools.yaml', () => {
  const { router, deployments } = load('tutorial-pools.yaml');

  it('routes each pool by its own strategy', () => {
    const strategyOf = strategyResolver(router);
    expect(strategyOf('fast').name).toBe('latency-based-routing');
    expect(strategyOf('capable').name).toBe('cost-based-routing');
    expect(strategyOf('other').name).toBe('cost-based-routing');
  });

  it('reads fallbacks both ways, retry_after 0.5 s, 2 allowed fails and a 60 s cooldown, and the cost overrides', () => {
    expect(router).toMatchObject({
      fallbacks: { fast: ['capable'], capable: ['fast'] },
      retryAfterSec: 0.5,
      numRetries: 2,
      allowedFails: 2,
      cooldownTimeSec: 60,
    });
    expect(deployments[0]!.info).toMatchObject({
      inputCostPerToken: 0.00000015,
      outputCostPerToken: 0.0000006,
    });
  });
});
