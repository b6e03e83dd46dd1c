// Budgets across a fleet: LiteLLM's provider_budget_config stops traffic at its limit on two worker
// processes sharing one spend, and a job with nowhere left fails with BudgetExceededError naming the budget.
import { CompletionError, type RoutedResult } from '@switchyard/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from '../integration/harness.ts';

// "hello" is 2 prompt tokens and "echo: hello" 3 completion tokens at the fake: $0.005 a call.
const PRICES = { input_cost_per_token: 0.001, output_cost_per_token: 0.001 };
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'capped', 'capped-model', PRICES),
        openaiDeployment(fake, 'own-cap', 'own-a', { ...PRICES, max_budget: 0.01, budget_duration: '1d' }),
        {
          ...openaiDeployment(fake, 'own-cap', 'own-b', PRICES),
          litellm_params: { model: 'anthropic/own-b', api_base: fake.url, api_key: 'sk-test', ...PRICES },
        },
      ],
      router_settings: {
        num_retries: 0,
        routing_strategy: 'simple-shuffle',
        provider_budget_config: { openai: { budget_limit: 0.05, time_period: '1d' } },
      },
    }),
    workers: 2,
    concurrency: 2,
  });
});

afterAll(async () => {
  await stack?.stop();
});

async function outcome(group: string) {
  try {
    return await stack.client.completion(chat(group));
  } catch (err) {
    return err as CompletionError;
  }
}

describe('provider budget across two workers', () => {
  it('serves exactly budget_limit worth of calls one after another, then fails naming the budget', async () => {
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await outcome('capped'));
    const served = results.filter((r): r is RoutedResult => !(r instanceof Error));
    expect(served).toHaveLength(10);
    expect(served.every((r) => Math.abs((r.routing?.cost ?? 0) - 0.005) < 1e-9)).toBe(true);
    const refused = results.filter((r): r is CompletionError => r instanceof CompletionError);
    expect(refused).toHaveLength(2);
    expect(refused[0]!.type).toBe('BudgetExceededError');
    expect(refused[0]!.message).toMatch(
      /provider budget "openai" \(\$0\.05 per 1d\) is exhausted; it resets at \d{4}-/,
    );
    expect(stack.fake.requests.filter((r) => r.model === 'capped-model')).toHaveLength(10);
    // Both workers served: the spend is shared, not per process.
    const spend = Number(await stack.client.connection.hget('bull:switchyard:sy:budgets', 'provider:openai'));
    expect(spend).toBeCloseTo(0.05, 9);
  });

  it('a burst after the limit reaches no provider', async () => {
    const burst = await Promise.all(Array.from({ length: 20 }, () => outcome('capped')));
    expect(burst.every((r) => r instanceof CompletionError && r.type === 'BudgetExceededError')).toBe(true);
    expect(stack.fake.requests.filter((r) => r.model === 'capped-model')).toHaveLength(10);
  });

  it('an over-budget deployment is skipped while its group has another', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => outcome('own-cap')));
    expect(results.every((r) => !(r instanceof Error))).toBe(true);
    // own-a (openai, also under the spent provider budget) gets nothing; own-b (anthropic) serves all.
    expect(stack.fake.requests.filter((r) => r.model === 'own-a')).toHaveLength(0);
    expect(stack.fake.requests.filter((r) => r.model === 'own-b')).toHaveLength(10);
  });
});
