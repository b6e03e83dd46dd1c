// LiteLLM's per-request `priority` becomes the BullMQ job priority (client SDK and gateway), so waiting jobs
// are served lowest number first, and it never reaches a provider.
import { spawnWorkers } from '@switchyard/testkit';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayStack, openaiDeployment, startGatewayStack } from './harness.ts';

let stack: GatewayStack;

beforeAll(async () => {
  // No worker yet: the first test queues jobs before one starts.
  stack = await startGatewayStack({
    config: (fake) => ({ model_list: [openaiDeployment(fake, 'gpt', 'gpt-a')] }),
    workers: 0,
  });
});

afterAll(async () => {
  await stack?.stop();
});

const chat = (content: string, extra: object = {}) => ({
  model: 'gpt',
  messages: [{ role: 'user', content }],
  ...extra,
});

describe('priority', () => {
  it('orders waiting jobs by their priority and never forwards it', async () => {
    // Queued before any worker runs, highest number first; one worker slot then takes them in order.
    const { client, fake } = stack;
    const ids = [];
    for (const p of [4, 3, 2, 1, 0])
      ids.push(await client.enqueue('chat.completions', chat(`p${p}`, { priority: p })));
    const jobs = await Promise.all(ids.map((id) => client.queue.getJob(id)));
    expect(jobs.map((j) => j?.opts.priority)).toEqual([5, 4, 3, 2, 1]);
    expect(jobs.every((j) => !Object.hasOwn(j!.data, 'priority'))).toBe(true);

    // Stopped with the stack (its stop() goes through this same list).
    stack.workers.push(
      ...(await spawnWorkers({
        configPath: stack.configPath,
        redisUrl: stack.redis.url,
        count: 1,
        concurrency: 1,
      })),
    );
    await Promise.all(ids.map((id) => client.result(id)));
    const order = fake.requests.map(
      (r) => (r.body as { messages: { content: string }[] }).messages[0]!.content,
    );
    expect(order).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(fake.requests.every((r) => !Object.hasOwn(r.body as object, 'priority'))).toBe(true);
  });

  it('is set by the gateway from the request body, and refused when it is not a priority', async () => {
    const { client, fake } = stack;
    const { sdk } = stack;
    const { data, response } = await sdk.chat.completions
      .create({
        ...chat('via gateway'),
        priority: 7,
      } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    expect(data.choices).toHaveLength(1);
    const job = await client.queue.getJob(response.headers.get('x-switchyard-job-id')!);
    expect(job?.opts.priority).toBe(8);
    expect(fake.requests.at(-1)?.body).not.toHaveProperty('priority');

    const err = await sdk.chat.completions
      .create({
        ...chat('bad'),
        priority: 'urgent',
      } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .then(
        () => undefined,
        (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
      );
    expect(err?.status).toBe(400);
    expect(err?.message).toContain('priority must be an integer');
  });
});
