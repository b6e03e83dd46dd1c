// Without `allowed_fails` in the config, transient failures cool a deployment by LiteLLM's failure-rate
// rule (more than half of at least 5 requests in the window), shared by both worker processes: a busy
// deployment with occasional 500s stays in rotation, a dead one leaves it after 5 requests.
import { describe, expect, it } from 'vitest';
import { chat, openaiDeployment } from '../integration/harness.ts';
import { requestsTo, useStack } from './support.ts';

const stack = useStack({
  config: (fake) => ({
    model_list: [
      openaiDeployment(fake, 'busy', 'flaky-15pct'),
      openaiDeployment(fake, 'busy', 'busy-healthy'),
      openaiDeployment(fake, 'dying', 'dead'),
      openaiDeployment(fake, 'dying', 'alive'),
    ],
    router_settings: { cooldown_time: 60, num_retries: 2 },
  }),
  fake: { latencyMs: 2, seed: 7 },
});

describe('failure-rate cooldown (LiteLLM default when allowed_fails is not set)', () => {
  it('keeps a deployment with occasional 500s in rotation', async () => {
    const { fake, client } = stack();
    fake.script([
      { match: { model: 'flaky-15pct' }, probability: 0.15, fault: { kind: 'error', status: 500 } },
    ]);
    for (let wave = 0; wave < 10; wave++) {
      await Promise.all(Array.from({ length: 10 }, () => client.completion(chat('busy'))));
    }
    const flaky = requestsTo(fake, 'flaky-15pct');
    const failures = flaky.filter((r) => r.status === 500).length;
    // Several 500s — more than the legacy allowed_fails (3) would tolerate in a minute …
    expect(failures).toBeGreaterThan(3);
    // … yet it kept its share through the last wave instead of cooling for 60 s.
    expect(flaky.length).toBeGreaterThan(35);
    const lastWaveStart = fake.requests[fake.requests.length - 12]?.time ?? 0;
    expect(flaky.some((r) => r.time >= lastWaveStart)).toBe(true);
  });

  it('cools a deployment that fails every request after 5 requests, for every worker', async () => {
    const { fake, client } = stack();
    fake.script([{ match: { model: 'dead' }, fault: { kind: 'error', status: 500 } }]);
    // One at a time, so the count is exact: no request races the cooldown.
    for (let i = 0; i < 30; i++) {
      const res = await client.completion(chat('dying', `job ${i}`));
      expect(res.routing.deploymentId).toBe('alive');
    }
    expect(requestsTo(fake, 'dead').length).toBe(5);
  });
});
