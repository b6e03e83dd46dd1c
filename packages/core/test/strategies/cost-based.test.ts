import { describe, expect, it } from 'vitest';
import { costBased } from '../../src/strategies/cost-based/index.ts';
import { candidate, context, deployment, firstPickShares, ids } from './fixtures.ts';

const priced = (id: string, input: number, output: number) =>
  candidate(
    deployment(id, {
      model: 'private-model',
      info: { inputCostPerToken: input, outputCostPerToken: output },
    }),
  );

describe('cost-based-routing', () => {
  it('orders by input + output price per token from model_info, cheapest first', () => {
    const input = [priced('pricey', 5e-6, 15e-6), priced('cheap', 1e-7, 4e-7), priced('mid', 1e-6, 2e-6)];
    expect(ids(costBased.rank(input, context()))).toEqual(['cheap', 'mid', 'pricey']);
  });

  it('falls back to the price dataset and puts unknown prices last', () => {
    const input = [
      candidate(deployment('unknown', { model: 'no-such-model-anywhere' })),
      candidate(deployment('gpt-4o', { model: 'gpt-4o' })), // $2.50 + $10 per 1M tokens
      candidate(deployment('gpt-4o-mini', { model: 'gpt-4o-mini' })),
      priced('custom', 1e-5, 1e-5), // $20 per 1M tokens
    ];
    expect(ids(costBased.rank(input, context()))).toEqual(['gpt-4o-mini', 'gpt-4o', 'custom', 'unknown']);
  });

  it('shares load between equally cheap deployments', () => {
    const input = [priced('a', 1e-6, 1e-6), priced('b', 1e-6, 1e-6)];
    const shares = firstPickShares(2000, (ctx) => costBased.rank(input, ctx));
    expect(shares.get('a')).toBeCloseTo(0.5, 1);
  });
});
