// SIGTERM drains: jobs already in flight finish and are delivered, then the worker exits 0.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from './harness.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({ model_list: [openaiDeployment(fake, 'slow', 'slow-model')] }),
    fake: { latencyMs: 1500 },
    workers: 1,
    concurrency: 10,
  });
});

afterAll(async () => {
  await stack?.stop();
});

it('drains in-flight jobs on SIGTERM and exits 0', async () => {
  const pending = Array.from({ length: 5 }, (_, i) => stack.client.completion(chat('slow', `job ${i}`)));
  // Wait until the provider has all five calls in flight, then ask the worker to stop.
  const deadline = Date.now() + 10_000;
  while (stack.fake.requests.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(stack.fake.requests.length).toBe(5);
  const worker = stack.workers[0]!;
  worker.child.kill('SIGTERM');
  const results = await Promise.all(pending);
  expect(results.map((r) => r.routing.deploymentId)).toEqual(Array(5).fill('slow-model'));
  expect(await worker.exited).toBe(0);
  expect(worker.output()).toContain('draining in-flight jobs');
});
