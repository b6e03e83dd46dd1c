// switchyard_settings.queue_name and queue_prefix: workers and producers meet on the configured queue.
import { SwitchyardClient } from '@switchyard/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from './harness.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({
      model_list: [openaiDeployment(fake, 'g', 'model-a')],
      // A hash-tagged prefix keeps every key of the queue in one Redis Cluster slot.
      switchyard_settings: { queue_name: 'docs-pipeline', queue_prefix: '{sy}' },
    }),
    workers: 1,
  });
});

afterAll(async () => {
  await stack?.stop();
});

it('serves jobs on the configured queue name and prefix only', async () => {
  const client = new SwitchyardClient({
    redisUrl: stack.redis.url,
    queueName: 'docs-pipeline',
    prefix: '{sy}',
    timeoutMs: 20_000,
  });
  try {
    const res = await client.completion(chat('g'));
    expect(res.routing.deploymentId).toBe('model-a');
    const redis = stack.redis.client();
    const keys = await redis.keys('*docs-pipeline*');
    await redis.quit();
    expect(keys.length).toBeGreaterThan(0);
    // Queue keys under the hash-tagged prefix; routing keys under the same namespace without the braces,
    // so each model group's own `{group}` tag picks its Cluster slot; the model list is one key beside them.
    for (const key of keys) {
      expect(
        key.startsWith('{sy}:docs-pipeline:') ||
          key.startsWith('sy:docs-pipeline:sy:{g}:') ||
          key === 'sy:docs-pipeline:sy:models',
        key,
      ).toBe(true);
    }
    // The default queue has no worker: a job there stays waiting.
    const id = await stack.client.enqueue('chat.completions', chat('g'));
    await new Promise((r) => setTimeout(r, 500));
    expect(await stack.client.queue.getJobState(id)).toBe('waiting');
  } finally {
    await client.close();
  }
});
