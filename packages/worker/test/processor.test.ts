// The processor in-process: a real Redis and a real fake provider, no child processes — the stages
// (prepare → attempt → settle → respond) seen through what a producer gets back.
import { SwitchyardClient } from '@switchyard/client';
import { loadConfig } from '@switchyard/core';
import { type FakeProvider, startFakeProvider, startRedis, type TestRedis } from '@switchyard/testkit';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type RunningWorker, startWorker } from '../src/worker-process.ts';

let redis: TestRedis;
let fake: FakeProvider;
let worker: RunningWorker;
let client: SwitchyardClient;

const deployment = (group: string, model: string, extra: object = {}) => ({
  model_name: group,
  litellm_params: { model: `openai/${model}`, api_base: `${fake.url}/v1`, api_key: 'sk-test', ...extra },
  model_info: { id: model },
});

beforeAll(async () => {
  redis = await startRedis();
  fake = await startFakeProvider({ latencyMs: 1 });
  const config = loadConfig(
    {
      model_list: [
        deployment('pool', 'pool-a'),
        deployment('pool', 'pool-b'),
        deployment('solo', 'solo-model'),
        deployment('paced', 'paced-model', { rpm: 1 }),
      ],
      router_settings: { num_retries: 2, retry_after: 0, allowed_fails: 1000 },
    },
    { env: {} },
  );
  worker = await startWorker({
    config,
    logger: pino({ level: 'silent' }),
    redisUrl: redis.url,
    concurrency: 4,
    windowMs: 1000,
  });
  client = new SwitchyardClient({ redisUrl: redis.url, timeoutMs: 15_000, pollMs: 500 });
  await client.ready();
});

afterAll(async () => {
  await client?.close();
  await worker?.close(5_000);
  await fake?.close();
  await redis?.stop();
});

beforeEach(() => fake.reset());

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });

it('answers with the provider body plus routing for one attempt', async () => {
  const res = await client.completion(chat('solo'));
  expect(res.object).toBe('chat.completion');
  expect(res.routing).toMatchObject({
    modelGroup: 'solo',
    deploymentId: 'solo-model',
    provider: 'openai',
    cacheHit: false,
    attempts: [{ deploymentId: 'solo-model', modelGroup: 'solo' }],
  });
});

it('retries a failed attempt on the other deployment of the group, under the same job id', async () => {
  fake.script([{ match: { model: 'pool-a' }, fault: { kind: 'error', status: 500 } }]);
  const ids = await client.enqueueBatch(Array.from({ length: 20 }, () => ({ body: chat('pool') })));
  const results = await Promise.all(ids.map((id) => client.result(id)));
  for (const res of results) expect(res?.routing.deploymentId).toBe('pool-b');
  const failed = results.flatMap((r) => r?.routing.attempts.filter((a) => a.error) ?? []);
  // Shuffle sends some first attempts to pool-a; each such job recovered on pool-b under its own id.
  expect(failed.length).toBeGreaterThan(0);
  for (const a of failed)
    expect(a).toMatchObject({ deploymentId: 'pool-a', error: { type: 'InternalServerError' } });
});

it('fails bad job data with BadRequestError and goes on serving', async () => {
  const job = await client.queue.add('chat.completions', { model: 'solo', messages: 'not a list' });
  await expect(client.result(job.id!)).rejects.toMatchObject({ type: 'BadRequestError' });
  const res = await client.completion(chat('solo'));
  expect(res.routing.deploymentId).toBe('solo-model');
});

it('parks a job while its group is at its rpm limit and serves it when capacity returns', async () => {
  const [first, second] = await Promise.all([
    client.completion(chat('paced')),
    client.completion(chat('paced')),
  ]);
  expect(first.routing.deploymentId).toBe('paced-model');
  expect(second.routing.deploymentId).toBe('paced-model');
  // No attempt failed: the second job waited in delayed, it did not burn a retry.
  expect([...first.routing.attempts, ...second.routing.attempts].filter((a) => a.error)).toEqual([]);
  expect(fake.stats().total.requests).toBe(2);
});
