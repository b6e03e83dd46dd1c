// Job data is untrusted: every guard here is tried through the public interface (a plain BullMQ
// producer or the client SDK) and must keep the job within what the config allows.
import { stateNamespace } from '@switchyard/core';
import { RoutingState } from '@switchyard/redis-state';
import { describe, expect, it } from 'vitest';
import { chat, openaiDeployment } from '../integration/harness.ts';
import { failureOf, requestsTo, useStack } from '../resilience/support.ts';

const stack = useStack({
  config: (fake) => ({
    model_list: [
      openaiDeployment(fake, 'failing', 'failing-model'),
      openaiDeployment(fake, 'slow', 'slow-a'),
      openaiDeployment(fake, 'slow', 'slow-b'),
      openaiDeployment(fake, 'tight', 'tight-model', { tpm: 1000 }),
      openaiDeployment(fake, 'patient', 'patient-a'),
      openaiDeployment(fake, 'patient', 'patient-b'),
      openaiDeployment(fake, 'cached', 'cached-model'),
      openaiDeployment(fake, 'tagged', 'tagged-model', { tags: ['team-a', 'team-b'] }),
    ],
    router_settings: { num_retries: 2, retry_after: 0, timeout: 1, allowed_fails: 1000 },
    litellm_settings: { cache: true, cache_params: { type: 'redis', ttl: 60 } },
    switchyard_settings: { max_request_retries: 3, cache_max_entry_bytes: 4000 },
  }),
  fake: { latencyMs: 1 },
  workers: 1,
});

const alwaysFail = { match: { model: 'failing-model' }, fault: { kind: 'error', status: 500 } } as const;

async function routing() {
  const redis = stack().redis.client();
  const state = new RoutingState(redis, { prefix: stateNamespace({}) });
  return { redis, state };
}

describe('testing parameters', () => {
  it('refuses mock_response and mock_testing_* unless allow_mock_params is on', async () => {
    const { client, fake } = stack();
    for (const param of [{ mock_response: 'hi' }, { mock_testing_rate_limit_error: true }]) {
      const err = await failureOf(client.completion({ ...chat('cached'), ...param }));
      expect(err.type).toBe('BadRequestError');
      expect(err.message).toContain(Object.keys(param)[0]!);
      expect(err.message).toContain('allow_mock_params');
    }
    expect(fake.requests).toHaveLength(0);
  });
});

describe('routing state from the producer', () => {
  it('a job carrying forged retry state makes exactly 1 + num_retries calls', async () => {
    const { client, fake } = stack();
    fake.script([alwaysFail]);
    const forged = {
      plan: {
        originalGroup: 'failing',
        group: 'failing',
        retriesUsed: -1000,
        fallbacksUsed: 0,
        triedGroups: ['failing'],
        excluded: [],
        chain: [],
        fallbackErrors: [],
        deadlineMs: Date.now() + 86_400_000,
      },
      attempts: [],
    };
    const job = await client.queue.add('chat.completions', { ...chat('failing'), _switchyard: forged });
    const err = await failureOf(client.result(job.id!));
    expect(err.type).toBe('InternalServerError');
    expect(requestsTo(fake, 'failing-model')).toHaveLength(3);
  });
});

describe('bounds on what a request may ask', () => {
  it('num_retries above max_request_retries is cut to it', async () => {
    const { client, fake } = stack();
    fake.script([alwaysFail]);
    await failureOf(client.completion({ ...chat('failing'), num_retries: 1000 }));
    expect(requestsTo(fake, 'failing-model')).toHaveLength(4);
  });

  it('a per-request timeout longer than the configured one is cut to it', async () => {
    const { client, fake } = stack();
    fake.script([
      { match: { model: 'slow-a' }, latencyMs: 2500 },
      { match: { model: 'slow-b' }, latencyMs: 2500 },
    ]);
    const err = await failureOf(client.completion({ ...chat('slow'), timeout: 10_000, num_retries: 0 }));
    expect(err.type).toBe('Timeout');
  });

  it('a timeout the caller asked for neither cools the deployment nor poisons its latency', async () => {
    const { client, fake } = stack();
    fake.script([
      { match: { model: 'patient-a' }, latencyMs: 600 },
      { match: { model: 'patient-b' }, latencyMs: 600 },
    ]);
    for (let i = 0; i < 3; i++) {
      const err = await failureOf(client.completion({ ...chat('patient'), timeout: 0.1, num_retries: 0 }));
      expect(err.type).toBe('Timeout');
    }
    const { redis, state } = await routing();
    try {
      for (const s of await state.snapshot('patient', ['patient-a', 'patient-b'])) {
        expect(s.cooldownUntilMs, s.id).toBe(0);
        expect(s.latencyMs ?? 0, s.id).toBeLessThan(1000);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('a request larger than a deployment’s tpm still runs once (its reservation is clamped)', async () => {
    const { client } = stack();
    const huge = 'word '.repeat(20_000); // ~20k tokens estimated, tpm is 1000
    const res = await client.completion(chat('tight', huge), { timeoutMs: 10_000 });
    expect(res.routing.deploymentId).toBe('tight-model');
  });

  it('a failed call leaves no tokens in the tpm window', async () => {
    const { client, fake } = stack();
    fake.script([alwaysFail]);
    await failureOf(client.completion({ ...chat('failing', 'x'.repeat(4000)), num_retries: 0 }));
    const { redis, state } = await routing();
    try {
      const [s] = await state.snapshot('failing', ['failing-model']);
      expect(s!.tpmUsed).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('more than 32 tags, or a tag over 128 characters, fails BadRequestError', async () => {
    const { client } = stack();
    const many = Array.from({ length: 33 }, (_, i) => `t${i}`);
    for (const tags of [many, ['x'.repeat(129)]]) {
      const err = await failureOf(client.completion({ ...chat('cached'), metadata: { tags } }));
      expect(err.type).toBe('BadRequestError');
    }
  });
});

describe('the response cache', () => {
  it('caps a request’s ttl at the configured one', async () => {
    const { client } = stack();
    await client.completion({ ...chat('cached', 'ttl probe'), cache: { ttl: 1_000_000 } });
    const { redis } = await routing();
    try {
      await expect
        .poll(async () => (await redis.keys(`${stateNamespace({})}:cache:*`)).length)
        .toBeGreaterThan(0);
      for (const key of await redis.keys(`${stateNamespace({})}:cache:*`)) {
        expect(await redis.pttl(key)).toBeLessThanOrEqual(60_000);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('does not store answers larger than cache_max_entry_bytes', async () => {
    const { client, fake } = stack();
    const big = {
      id: 'chatcmpl-big',
      object: 'chat.completion',
      created: 1,
      model: 'cached-model',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'z'.repeat(8000) }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2000, total_tokens: 2003 },
    };
    fake.script([{ match: { model: 'cached-model' }, fault: { kind: 'raw', body: big } }]);
    await client.completion(chat('cached', 'big answer'));
    const again = await client.completion(chat('cached', 'big answer'));
    expect(again.routing.cacheHit).toBe(false);
    expect(requestsTo(fake, 'cached-model')).toHaveLength(2);
  });

  it('keys include the tags: the same body with other tags is a miss', async () => {
    const { client } = stack();
    await client.completion({ ...chat('tagged', 'tagged'), metadata: { tags: ['team-a'] } });
    const same = await client.completion({ ...chat('tagged', 'tagged'), metadata: { tags: ['team-a'] } });
    expect(same.routing.cacheHit).toBe(true);
    const other = await client.completion({ ...chat('tagged', 'tagged'), metadata: { tags: ['team-b'] } });
    expect(other.routing.cacheHit).toBe(false);
  });
});

describe('installations sharing one Redis', () => {
  it('keep routing state and cache under their queue’s namespace only', async () => {
    const { client } = stack();
    await client.completion(chat('cached', 'namespace probe'));
    const { redis } = await routing();
    try {
      const keys = await redis.keys('*');
      const ours = keys.filter((k) => !k.startsWith('bull:switchyard:'));
      expect(ours).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
