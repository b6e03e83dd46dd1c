// LiteLLM's response cache (`litellm_settings.cache: true`), shared by every worker through Redis.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from './harness.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'cached', 'cached-a'),
        openaiDeployment(fake, 'cached', 'cached-b'),
      ],
      litellm_settings: { cache: true, cache_params: { type: 'redis', ttl: 60 } },
    }),
  });
});

afterAll(async () => {
  await stack?.stop();
});

const calls = () => stack.fake.stats().total.requests;

it('answers an identical request from the cache, whichever worker takes it', async () => {
  const first = await stack.client.completion(chat('cached', 'summarise page 1'));
  expect(first.routing.cacheHit).toBe(false);
  const before = calls();
  const again = await Promise.all(
    Array.from({ length: 6 }, () => stack.client.completion(chat('cached', 'summarise page 1'))),
  );
  expect(calls()).toBe(before);
  for (const r of again) {
    expect(r.routing.cacheHit).toBe(true);
    expect(r.routing.deploymentId).toBe(first.routing.deploymentId);
    expect(r.id).toBe(first.id);
  }
});

it('misses for a different request, and honours no-cache / no-store per request', async () => {
  const before = calls();
  const other = await stack.client.completion(chat('cached', 'summarise page 2'));
  expect(other.routing.cacheHit).toBe(false);
  const fresh = await stack.client.completion({
    ...chat('cached', 'summarise page 2'),
    cache: { 'no-cache': true },
  });
  expect(fresh.routing.cacheHit).toBe(false);
  await stack.client.completion({ ...chat('cached', 'page 3'), cache: { 'no-store': true } });
  const notStored = await stack.client.completion(chat('cached', 'page 3'));
  expect(notStored.routing.cacheHit).toBe(false);
  expect(calls()).toBe(before + 4);
});
