// The pools tutorial (tutorial-pools.yaml) through a real worker: pools, fallbacks both ways, costs.
import { describe, expect, it } from 'vitest';
import { chat, failure, useSeed, workerOutput } from './seed.ts';

describe('tutorial-pools.yaml', () => {
  const stack = useSeed('tutorial-pools.yaml');

  it('warns at start that capable-32k does not exist', () => {
    expect(workerOutput(stack())).toContain('named "capable-32k" in model_list; ignored');
  });

  it('prices a fast answer from the cost overrides in litellm_params', async () => {
    const { client, config } = stack();
    const res = await client.completion(chat('fast', 'how much'));
    const usage = res.usage as { prompt_tokens: number; completion_tokens: number };
    const prices: Record<string, [number, number]> = {
      [config.deployments[0]!.id]: [0.00000015, 0.0000006],
      [config.deployments[1]!.id]: [0.00000025, 0.00000125],
    };
    const [input, output] = prices[res.routing.deploymentId]!;
    expect(res.routing.cost).toBeCloseTo(usage.prompt_tokens * input + usage.completion_tokens * output, 15);
  });

  it('falls back fast → capable when the fast pool fails', async () => {
    const { client, fakes } = stack();
    fakes[0]!.script([{ fault: { kind: 'error', status: 500 } }]);
    fakes[1]!.script([{ fault: { kind: 'error', status: 500 } }]);
    try {
      const res = await client.completion(chat('fast', 'escalate'));
      expect(res.routing.modelGroup).toBe('capable');
    } finally {
      for (const fake of fakes) fake.reset();
    }
  });

  it('enters each pool once when both fail: fast ↔ capable is no loop', async () => {
    const { client, fakes } = stack();
    for (const fake of fakes) fake.script([{ fault: { kind: 'error', status: 500 } }]);
    try {
      const err = await failure(client.completion(chat('capable', 'everything is down')));
      expect(err.message).toContain('[fallbacks tried: fast (InternalServerError)]');
      // 1 + 2 retries in each pool, and no third pool.
      const attempts = fakes.reduce(
        (sum, f) => sum + f.requests.filter((r) => r.status !== undefined).length,
        0,
      );
      expect(attempts).toBe(6);
    } finally {
      for (const fake of fakes) fake.reset();
    }
  });
});
