// Every strategy (built-in and custom) must honour the RoutingStrategy contract the Lua script relies on.
import { describe, expect, it } from 'vitest';
import { ROUTING_STRATEGIES } from '../../src/config/schema.ts';
import { customStrategy } from '../../src/strategies/custom/index.ts';
import { createStrategy } from '../../src/strategies/registry.ts';
import type { Candidate, RoutingStrategy } from '../../src/strategies/types.ts';
import { candidate, context, deployment, ids, NOW } from './fixtures.ts';

// Every strategy name the config accepts runs through the suite, so a new one cannot skip it.
const NAMES = ROUTING_STRATEGIES;

const STRATEGIES: [string, RoutingStrategy][] = [
  ...NAMES.map((name): [string, RoutingStrategy] => [name, createStrategy(name)]),
  // A custom chooser that prefers the last candidate: the adapter must still return everyone.
  ['custom choose', customStrategy({ choose: (cs: readonly Candidate[]) => cs.at(-1) })],
  ['custom rank (drops)', customStrategy({ rank: (cs: readonly Candidate[]) => cs.slice(0, 1) })],
];

/** A mixed population: some without state, weights, limits, prices, latency samples and cooldowns. */
function population(n: number): Candidate[] {
  return Array.from({ length: n }, (_, i) => {
    const d = deployment(`d${i}`, {
      ...(i % 3 === 0 ? { weight: (i % 5) + 1 } : {}),
      ...(i % 4 === 0 ? { rpm: 10, tpm: 1000 } : {}),
      ...(i % 2 === 0 ? { info: { inputCostPerToken: (i % 7) * 1e-6, outputCostPerToken: 1e-6 } } : {}),
      ...(i % 6 === 5 ? { model: 'unpriced-model' } : {}),
    });
    if (i % 5 === 4) return candidate(d);
    return candidate(d, {
      inflight: i % 3,
      rpmUsed: i % 11,
      tpmUsed: (i * 37) % 1200,
      ...(i % 3 === 1 ? { latencyMs: 10 + (i % 13), latencyAtMs: NOW - (i % 2) * 5_000_000 } : {}),
    });
  });
}

describe.each(STRATEGIES)('%s conforms to RoutingStrategy', (_name, strategy) => {
  it('returns a permutation of its input: nothing dropped, nothing duplicated', () => {
    const input = population(40);
    const out = strategy.rank(input, context());
    expect(out).toHaveLength(input.length);
    expect(new Set(out)).toEqual(new Set(input));
  });

  it('handles empty and single inputs', () => {
    expect(strategy.rank([], context())).toEqual([]);
    const one = [candidate(deployment('only'))];
    expect(ids(strategy.rank(one, context()))).toEqual(['only']);
  });

  it('is deterministic for a given seed and does not mutate its input', () => {
    const input = population(30);
    const before = ids(input);
    expect(ids(strategy.rank(input, context({}, 99)))).toEqual(ids(strategy.rank(input, context({}, 99))));
    expect(ids(input)).toEqual(before);
  });

  it('treats candidates without any state as usable', () => {
    const input = ['a', 'b', 'c'].map((id) => candidate(deployment(id)));
    expect(ids(strategy.rank(input, context())).sort()).toEqual(['a', 'b', 'c']);
  });

  it('ranks 1,000 candidates', () => {
    const input = population(1000);
    const out = strategy.rank(input, context());
    expect(new Set(ids(out)).size).toBe(1000);
  });
});
