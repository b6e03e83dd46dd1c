// The Router API reference's examples (api-*.yaml) through a real worker: caching, cost, retries, init.
import { describe, expect, it } from 'vitest';
import { chat, failure, useSeed, workerOutput } from './seed.ts';

describe('api-caching.yaml: redis_url, cache_responses, cache_kwargs', () => {
  const stack = useSeed('api-caching.yaml', {
    // No REDIS_URL: the worker must find this stack's Redis through the config's redis_url.
    redisFromConfig: true,
    adjust: (doc, redis) => {
      (doc.router_settings as Record<string, unknown>).redis_url = redis.url;
    },
  });

  it('connects to redis_url when REDIS_URL is unset, and says so at start', () => {
    const out = workerOutput(stack());
    expect(out).toMatch(/"redis":"redis:\/\/127\.0\.0\.1:\d+","from":"router_settings\.redis_url"/);
    expect(out).toContain('router_settings.client_ttl: no meaning for Switchyard');
  });

  it('answers the second identical request from the cache, kept 600 s under litellm_cache', async () => {
    const { client, redis } = stack();
    const first = await client.completion(chat('gpt-4', 'cache me'));
    const second = await client.completion(chat('gpt-4', 'cache me'));
    expect(first.routing.cacheHit).toBe(false);
    expect(second.routing.cacheHit).toBe(true);
    expect(second.choices).toEqual(first.choices);
    expect(stack().requestsTo(0)).toBe(1);
    const r = redis.client();
    try {
      const keys = await r.keys('*litellm_cache*');
      expect(keys).toHaveLength(1);
      const ttl = await r.ttl(keys[0]!);
      expect(ttl).toBeGreaterThan(590);
      expect(ttl).toBeLessThanOrEqual(600);
    } finally {
      r.disconnect();
    }
  });
});

describe('api-cost.yaml: prices in model_info, cost-based routing', () => {
  const stack = useSeed('api-cost.yaml');

  it('keeps a request in its own group and prices it from model_info', async () => {
    const { client, config } = stack();
    const res = await client.completion(chat('gpt-4', 'what does this cost'));
    expect(res.routing.modelGroup).toBe('gpt-4');
    expect(res.routing.deploymentId).toBe(config.deployments[0]!.id);
    const usage = res.usage as { prompt_tokens: number; completion_tokens: number };
    expect(res.routing.cost).toBeCloseTo(
      usage.prompt_tokens * 0.00003 + usage.completion_tokens * 0.00006,
      12,
    );
    const cheap = await client.completion(chat('gpt-3.5-turbo', 'and this'));
    const cheapUsage = cheap.usage as { prompt_tokens: number; completion_tokens: number };
    expect(cheap.routing.cost).toBeCloseTo(
      cheapUsage.prompt_tokens * 0.000001 + cheapUsage.completion_tokens * 0.000002,
      12,
    );
    expect(stack().requestsTo(1)).toBe(1);
  });
});

describe('api-retry-backoff.yaml: router-wide retry policy, allowed_fails 2, cooldown 300 s', () => {
  const stack = useSeed('api-retry-backoff.yaml');

  it('makes 1 + 5 attempts over the group, then fails with the first error', async () => {
    const { client, fakes } = stack();
    for (const fake of fakes) fake.script([{ fault: { kind: 'error', status: 500 } }]);
    const err = await failure(client.completion(chat('gpt-4', 'always failing')));
    expect(err.type).toBe('InternalServerError');
    expect(stack().requestsTo(0) + stack().requestsTo(1)).toBe(6);
  });

  it('has cooled both deployments for 300 s: the third failure in the minute crosses allowed_fails 2', async () => {
    const { redis, config } = stack();
    const { RoutingState } = await import('@switchyard/redis-state');
    const { stateNamespace } = await import('@switchyard/core');
    const r = redis.client();
    try {
      const states = await new RoutingState(r, { prefix: stateNamespace({}) }).snapshot(
        'gpt-4',
        config.deployments.map((d) => d.id),
      );
      for (const s of states) {
        const left = s.cooldownUntilMs - Date.now();
        expect(left).toBeGreaterThan(290_000);
        expect(left).toBeLessThanOrEqual(300_000);
      }
    } finally {
      r.disconnect();
    }
  });
});

describe('api-router-init.yaml: least-busy, 3 retries, max 2 fallbacks, plain fallbacks list', () => {
  const stack = useSeed('api-router-init.yaml');

  it('falls back from any group to gpt-3.5-turbo, then claude-3-haiku, after 1 + 3 attempts', async () => {
    const { client, fakes } = stack();
    fakes[0]!.script([{ fault: { kind: 'error', status: 500 } }]);
    fakes[2]!.script([{ fault: { kind: 'error', status: 503 } }]);
    try {
      const res = await client.completion(chat('gpt-4-primary', 'fall back twice'));
      expect(res.routing.modelGroup).toBe('claude-3-haiku-20240307');
      expect(res.routing.provider).toBe('anthropic');
      expect(res.routing.attempts.map((a) => [a.modelGroup, a.deploymentId])).toEqual([
        ['gpt-4-primary', 'primary-deployment'],
        ['gpt-4-primary', 'primary-deployment'],
        ['gpt-4-primary', 'primary-deployment'],
        ['gpt-4-primary', 'primary-deployment'],
        ...Array.from({ length: 4 }, () => ['gpt-3.5-turbo', expect.any(String)]),
        ['claude-3-haiku-20240307', expect.any(String)],
      ]);
    } finally {
      for (const fake of fakes) fake.reset();
    }
  });

  it('enters at most 2 fallback groups', async () => {
    const { client, fakes } = stack();
    for (const fake of fakes) fake.script([{ fault: { kind: 'error', status: 500 } }]);
    try {
      const err = await failure(client.completion(chat('gpt-4-fallback', 'nothing works')));
      expect(err.type).toBe('InternalServerError');
      expect(err.message).toContain(
        '[fallbacks tried: gpt-3.5-turbo (InternalServerError), claude-3-haiku-20240307',
      );
      expect(stack().requestsTo(0)).toBe(0);
    } finally {
      for (const fake of fakes) fake.reset();
    }
  });
});
