import { describe, expect, it } from 'vitest';
import { costOf } from '../src/cost/cost.ts';
import { pricePerToken } from '../src/cost/price.ts';
import { deployment } from './strategies/fixtures.ts';

describe('pricePerToken', () => {
  it('uses model_info prices when given (a missing side counts as 0)', () => {
    const d = deployment('d', { info: { inputCostPerToken: 3e-6, outputCostPerToken: 6e-6 } });
    expect(pricePerToken(d)).toEqual({ input: 3e-6, output: 6e-6 });
    expect(pricePerToken(deployment('e', { info: { outputCostPerToken: 1e-6 } }))).toEqual({
      input: 0,
      output: 1e-6,
    });
  });

  it('finds openai gpt-4o in the price dataset ($2.50 / $10 per 1M tokens)', () => {
    const price = pricePerToken(deployment('d', { provider: 'openai', model: 'gpt-4o' }));
    expect(price?.input).toBeCloseTo(2.5e-6, 12);
    expect(price?.output).toBeCloseTo(10e-6, 12);
  });

  it('prices an Azure deployment by info.baseModel, since its deployment name is arbitrary', () => {
    const named = deployment('az', { provider: 'azure', model: 'prod-eu-4o' });
    expect(pricePerToken(named)).toBeUndefined();
    const based = deployment('az2', {
      provider: 'azure',
      model: 'prod-eu-4o',
      info: { baseModel: 'gpt-4o' },
    });
    expect(pricePerToken(based)?.input).toBeCloseTo(2.5e-6, 12);
  });

  it('sees new prices when a deployment with the same id is replaced at runtime', () => {
    const before = deployment('same', {
      info: { inputCostPerToken: 1e-6, outputCostPerToken: 1e-6 },
    });
    const after = deployment('same', {
      info: { inputCostPerToken: 2e-6, outputCostPerToken: 2e-6 },
    });
    expect(pricePerToken(before)?.input).toBe(1e-6);
    expect(pricePerToken(after)?.input).toBe(2e-6);
  });
});

describe('costOf', () => {
  it('multiplies prompt and completion tokens by their prices', () => {
    const d = deployment('d', { info: { inputCostPerToken: 1e-6, outputCostPerToken: 2e-6 } });
    expect(costOf(d, { promptTokens: 1000, completionTokens: 500 })).toBeCloseTo(0.002, 12);
  });

  it('reports 0 for a model with no known price', () => {
    const d = deployment('d', { model: 'homegrown-llm-7b' });
    expect(costOf(d, { promptTokens: 1000, completionTokens: 1000 })).toBe(0);
  });

  it('prices anthropic claude from the dataset', () => {
    const d = deployment('c', { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022' });
    expect(costOf(d, { promptTokens: 1_000_000, completionTokens: 0 })).toBeCloseTo(3, 6);
  });
});
