// A retry goes to another healthy deployment of the group, not back to the one that just failed —
// even when nothing is cooling (disable_cooldowns), so only routing order can make it true.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from './harness.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({
      model_list: [openaiDeployment(fake, 'pair', 'broken'), openaiDeployment(fake, 'pair', 'healthy')],
      router_settings: { disable_cooldowns: true, num_retries: 2 },
    }),
    fake: { rules: [{ match: { model: 'broken' }, fault: { kind: 'error', status: 500 } }] },
  });
});

afterAll(async () => {
  await stack?.stop();
});

it('retries a failed attempt on the other deployment at once', async () => {
  const results = await Promise.all(
    Array.from({ length: 30 }, (_, i) => stack.client.completion(chat('pair', `r${i}`))),
  );
  const retried = results.filter((r) => r.routing.attempts.length > 1);
  expect(retried.length).toBeGreaterThan(0);
  for (const r of results) {
    expect(r.routing.deploymentId).toBe('healthy');
    // At most one failed attempt on "broken", then straight to "healthy".
    expect(r.routing.attempts.length).toBeLessThanOrEqual(2);
  }
});
