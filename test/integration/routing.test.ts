// Foundation behaviour through two real worker processes, real Redis and the fake provider.
import { CompletionError } from '@switchyard/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from './harness.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'spread', 'spread-a'),
        openaiDeployment(fake, 'spread', 'spread-b'),
        openaiDeployment(fake, 'spread', 'spread-c'),
        openaiDeployment(fake, 'weighted', 'light', { weight: 1 }),
        openaiDeployment(fake, 'weighted', 'heavy', { weight: 3 }),
        openaiDeployment(fake, 'embed', 'text-embedding-3-small'),
        openaiDeployment(fake, 'instruct', 'gpt-3.5-turbo-instruct'),
      ],
      router_settings: { model_group_alias: { friendly: 'spread' } },
    }),
    fake: { latencyMs: [1, 5] },
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('routing through worker processes', () => {
  it('spreads a group’s load over all its deployments and reports routing', async () => {
    stack.fake.reset();
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => stack.client.completion(chat('spread', `q${i}`))),
    );
    const byDeployment = new Map<string, number>();
    for (const r of results) {
      expect(r.routing.modelGroup).toBe('spread');
      expect(r.routing.provider).toBe('openai');
      expect(r.routing.attempts).toHaveLength(1);
      expect(r.choices).toBeDefined();
      byDeployment.set(r.routing.deploymentId, (byDeployment.get(r.routing.deploymentId) ?? 0) + 1);
    }
    expect([...byDeployment.keys()].sort()).toEqual(['spread-a', 'spread-b', 'spread-c']);
    for (const n of byDeployment.values()) expect(n).toBeGreaterThanOrEqual(5);
    // Each worker process served part of the load (both pull from the same queue).
    const stats = stack.fake.stats();
    expect(
      (stats.models['spread-a']?.ok ?? 0) +
        (stats.models['spread-b']?.ok ?? 0) +
        (stats.models['spread-c']?.ok ?? 0),
    ).toBe(60);
  });

  it('honours weights (1:3 → about a quarter to the light deployment)', async () => {
    const ids = await stack.client.enqueueBatch(
      Array.from({ length: 400 }, () => ({ body: chat('weighted') })),
    );
    const results = await Promise.all(ids.map((id) => stack.client.result(id)));
    const light = results.filter((r) => r?.routing.deploymentId === 'light').length;
    expect(light / 400).toBeGreaterThan(0.15);
    expect(light / 400).toBeLessThan(0.35);
  });

  it('resolves model_group_alias to its group', async () => {
    const r = await stack.client.completion(chat('friendly'));
    expect(r.routing.modelGroup).toBe('spread');
    expect(['spread-a', 'spread-b', 'spread-c']).toContain(r.routing.deploymentId);
  });

  it('routes embeddings and text completions', async () => {
    const e = await stack.client.embedding({ model: 'embed', input: ['a', 'b'] });
    expect((e.data as unknown[]).length).toBe(2);
    expect(e.routing.deploymentId).toBe('text-embedding-3-small');
    const t = await stack.client.textCompletion({ model: 'instruct', prompt: 'Say hi' });
    expect((t.choices as { text: string }[])[0]?.text).toEqual(expect.any(String));
    expect(t.routing.deploymentId).toBe('gpt-3.5-turbo-instruct');
  });

  it('fails bad job data at once with BadRequestError and keeps serving', async () => {
    const bad = await Promise.allSettled([
      stack.client.completion({ model: 'spread' }),
      stack.client.completion({ model: 'spread', messages: 'not-a-list' }),
      stack.client.embedding({ model: 'embed', input: { nested: true } }),
    ]);
    for (const settled of bad) {
      expect(settled.status).toBe('rejected');
      const err = (settled as PromiseRejectedResult).reason;
      expect(err).toBeInstanceOf(CompletionError);
      expect((err as CompletionError).type).toBe('BadRequestError');
    }
    const weird = await stack.client.queue.add('chat.completions', 42 as unknown as object);
    const err = await stack.client.result(weird.id!).catch((e: unknown) => e);
    expect((err as CompletionError).type).toBe('BadRequestError');
    const ok = await stack.client.completion(chat('spread'));
    expect(ok.routing.modelGroup).toBe('spread');
    for (const w of stack.workers) expect(w.child.exitCode).toBeNull();
  });

  it('fails an unknown model group with a message that names it', async () => {
    const err = await stack.client.completion(chat('no-such-group')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompletionError);
    expect((err as CompletionError).type).toBe('BadRequestError');
    expect((err as Error).message).toContain('no-such-group');
  });

  it('works for a plain queue.add without special options, and results are readable by id later', async () => {
    const job = await stack.client.queue.add('chat.completions', chat('spread', 'plain'));
    const r = await stack.client.result(job.id!);
    expect(r?.routing.modelGroup).toBe('spread');
    const again = await stack.client.result(job.id!, { wait: false });
    expect(again?.routing.deploymentId).toBe(r?.routing.deploymentId);
  });

  it('never writes provider keys into Redis', async () => {
    const redis = stack.redis.client();
    const keys = await redis.keys('*');
    for (const key of keys) {
      const type = await redis.type(key);
      const dump =
        type === 'string'
          ? await redis.get(key)
          : type === 'hash'
            ? JSON.stringify(await redis.hgetall(key))
            : '';
      expect(dump ?? '').not.toContain('sk-test-secret');
    }
    await redis.quit();
  });
});

describe('logs', () => {
  it('never print provider keys', () => {
    for (const w of stack.workers) {
      expect(w.output().length).toBeGreaterThan(0);
      expect(w.output()).not.toContain('sk-test-secret');
    }
  });
});
