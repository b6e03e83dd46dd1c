// The Router configuration guide's examples (guide-*.yaml) through a real worker.
import { describe, expect, it } from 'vitest';
import { chat, failure, useSeed, workerOutput } from './seed.ts';

const REDIS_PASSWORD = 'seed-redis-pw';

describe('guide-caching-local.yaml: cache_kwargs type local', () => {
  const stack = useSeed('guide-caching-local.yaml');

  it('says at start that the cache is this worker process’s own memory', () => {
    expect(workerOutput(stack())).toContain('response cache: local, in this worker process only');
  });

  it('answers an identical second request from the cache, keeping nothing in Redis', async () => {
    const { client, redis } = stack();
    const first = await client.completion(chat('gpt-4', 'remember me'));
    const second = await client.completion(chat('gpt-4', 'remember me'));
    expect([first.routing.cacheHit, second.routing.cacheHit]).toEqual([false, true]);
    expect(second.choices).toEqual(first.choices);
    expect(stack().requestsTo(0)).toBe(1);
    const r = redis.client();
    try {
      expect(await r.keys('*:cache:*')).toEqual([]);
    } finally {
      r.disconnect();
    }
  });
});

describe('guide-context-window.yaml', () => {
  const stack = useSeed('guide-context-window.yaml');

  it('warns at start that the gpt-4 rule names no group', () => {
    expect(workerOutput(stack())).toContain(
      'litellm_settings.context_window_fallbacks[1]: no model group or alias named "gpt-4" in model_list; ignored',
    );
  });

  it('answers a prompt too long for gpt-3.5-turbo from gpt-3.5-turbo-16k', async () => {
    const { client, fakes } = stack();
    fakes[0]!.script([{ fault: { kind: 'context-window' } }]);
    const res = await client.completion(chat('gpt-3.5-turbo', 'long '.repeat(5000)));
    expect(res.routing.modelGroup).toBe('gpt-3.5-turbo-16k');
    expect(res.routing.attempts[0]?.error?.type).toBe('ContextWindowExceededError');
    expect(stack().requestsTo(2)).toBe(0);
  });
});

describe('guide-fallbacks.yaml', () => {
  const stack = useSeed('guide-fallbacks.yaml');

  it('answers a failing gpt-4 job from gpt-3.5-turbo, then from claude-2 (an Anthropic model)', async () => {
    const { client, fakes } = stack();
    fakes[0]!.script([{ fault: { kind: 'error', status: 500 } }]);
    const second = await client.completion(chat('gpt-4', 'first fallback'));
    expect(second.routing.modelGroup).toBe('gpt-3.5-turbo');
    fakes[1]!.script([{ fault: { kind: 'error', status: 500 } }]);
    const third = await client.completion(chat('gpt-4', 'second fallback'));
    expect(third.routing).toMatchObject({ modelGroup: 'claude-2', provider: 'anthropic' });
    expect(fakes[2]!.requests.at(-1)?.path).toBe('/v1/messages');
  });
});

describe('guide-production.yaml', () => {
  const stack = useSeed('guide-production.yaml', {
    // Redis needs a password, and the workers get no REDIS_URL: only redis_host / redis_port /
    // redis_password (REDIS_PASSWORD) can lead them to it. The port is this stack's.
    redis: { password: REDIS_PASSWORD },
    redisFromConfig: true,
    env: { REDIS_PASSWORD },
    adjust: (doc, redis) => {
      Object.assign(doc.router_settings as object, { redis_host: '127.0.0.1', redis_port: redis.port });
    },
  });

  it('loads, and its start-up output names each dangling reference and unsupported callback', () => {
    const out = workerOutput(stack());
    for (const expected of [
      'router_settings.model_group_alias.gpt-4: no model group named "prod-gpt-4"',
      'router_settings.model_group_alias.gpt4: no model group named "prod-gpt-4"',
      'named "gpt-3.5-turbo-16k" in model_list; ignored',
      'callback "langfuse" is not supported',
      'callback "sentry" is not supported',
    ])
      expect(out).toContain(expected);
    // `prometheus` is LiteLLM's metrics switch, which Switchyard runs.
    expect(out).not.toContain('callback "prometheus"');
  });

  it('connects to the Redis of redis_host / redis_port / redis_password and never prints the password', () => {
    const out = workerOutput(stack());
    expect(out).toContain(`"redis":"redis://:***@127.0.0.1:${stack().redis.port}"`);
    expect(out).not.toContain(REDIS_PASSWORD);
  });

  it('serves gpt-4 from the gpt-4 group (the dangling alias hides nothing) and caches the answer', async () => {
    const { client } = stack();
    const first = await client.completion(chat('gpt-4', 'production'));
    expect(first.routing.modelGroup).toBe('gpt-4');
    expect(['azure', 'openai']).toContain(first.routing.provider);
    const again = await client.completion(chat('gpt-4', 'production'));
    expect(again.routing.cacheHit).toBe(true);
  });

  it('falls back gpt-4 → gpt-3.5-turbo → claude-2', async () => {
    const { client, fakes } = stack();
    for (const i of [0, 1, 2]) fakes[i]!.script([{ fault: { kind: 'error', status: 500 } }]);
    try {
      const second = await client.completion(chat('gpt-4', 'production fallback one'));
      expect(second.routing.modelGroup).toBe('gpt-3.5-turbo');
      fakes[3]!.script([{ fault: { kind: 'error', status: 500 } }]);
      const third = await client.completion(chat('gpt-4', 'production fallback two'));
      expect(third.routing.modelGroup).toBe('claude-2');
    } finally {
      for (const fake of fakes) fake.reset();
    }
  });

  it('drops the parameters Anthropic lacks (drop_params: true) instead of failing', async () => {
    const { client, fakes } = stack();
    const res = await client.completion(chat('claude-2', 'with a seed', { seed: 7, presence_penalty: 0.1 }));
    expect(res.routing.modelGroup).toBe('claude-2');
    const sent = fakes[4]!.requests.at(-1)?.body as Record<string, unknown>;
    expect(sent).not.toHaveProperty('seed');
    expect(sent).not.toHaveProperty('presence_penalty');
  });
});

describe('guide-usage-based.yaml', () => {
  const stack = useSeed('guide-usage-based.yaml');

  it('warns at start that the fallback target gpt-3.5-turbo does not exist', () => {
    expect(workerOutput(stack())).toContain(
      'router_settings.fallbacks[0].gpt-4[0]: no model group, alias or deployment id named "gpt-3.5-turbo"',
    );
  });

  it('spreads gpt-4 over both deployments', async () => {
    const { client } = stack();
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.completion(chat('gpt-4', `usage ${i}`))));
    expect(stack().requestsTo(0)).toBeGreaterThan(0);
    expect(stack().requestsTo(1)).toBeGreaterThan(0);
  });

  it('fails a gpt-4 job that exhausts its 3 retries with the gpt-4 error', async () => {
    const { client, fakes } = stack();
    for (const fake of fakes) fake.reset();
    for (const fake of fakes) fake.script([{ fault: { kind: 'error', status: 503 } }]);
    const err = await failure(client.completion(chat('gpt-4', 'no fallback to take')));
    expect(err.type).toBe('ServiceUnavailableError');
    expect(err.message).not.toContain('fallbacks tried');
    expect(stack().requestsTo(0) + stack().requestsTo(1)).toBe(4);
  });
});
