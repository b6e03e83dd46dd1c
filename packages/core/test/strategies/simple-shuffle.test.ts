import { describe, expect, it } from 'vitest';
import { simpleShuffle } from '../../src/strategies/simple-shuffle/index.ts';
import { candidate, context, deployment, firstPickShares, ids } from './fixtures.ts';

describe('simple-shuffle', () => {
  it('spreads first picks by weight (1:3 → ~25/75 % over 4,000 draws)', () => {
    const input = [
      candidate(deployment('light', { weight: 1 })),
      candidate(deployment('heavy', { weight: 3 })),
    ];
    const shares = firstPickShares(4000, (ctx) => simpleShuffle.rank(input, ctx));
    expect(shares.get('light')).toBeCloseTo(0.25, 1);
    expect(shares.get('heavy')).toBeCloseTo(0.75, 1);
  });

  it('uses rpm as the weight when no deployment has a weight', () => {
    const input = [candidate(deployment('small', { rpm: 100 })), candidate(deployment('big', { rpm: 900 }))];
    const shares = firstPickShares(4000, (ctx) => simpleShuffle.rank(input, ctx));
    expect(shares.get('big')).toBeGreaterThan(0.86);
    expect(shares.get('big')).toBeLessThan(0.94);
  });

  it('uses tpm when neither weight nor rpm is set', () => {
    const input = [candidate(deployment('a', { tpm: 1000 })), candidate(deployment('b', { tpm: 3000 }))];
    const shares = firstPickShares(4000, (ctx) => simpleShuffle.rank(input, ctx));
    expect(shares.get('b')).toBeCloseTo(0.75, 1);
  });

  it('prefers weight over rpm: a deployment without weight weighs 0 and always comes last (LiteLLM S1)', () => {
    const input = [
      candidate(deployment('no-weight', { rpm: 1_000_000 })),
      candidate(deployment('w', { weight: 1 })),
      candidate(deployment('zero', { weight: 0 })),
    ];
    const ctx = context();
    for (let i = 0; i < 200; i++) expect(ids(simpleShuffle.rank(input, ctx))[0]).toBe('w');
  });

  it('is uniform without weights', () => {
    const input = ['a', 'b', 'c', 'd'].map((id) => candidate(deployment(id)));
    const shares = firstPickShares(4000, (ctx) => simpleShuffle.rank(input, ctx));
    for (const id of ['a', 'b', 'c', 'd']) expect(shares.get(id)).toBeCloseTo(0.25, 1);
  });

  it('keeps the weighted spread for the second position (when Lua skips the first)', () => {
    const input = [
      candidate(deployment('a', { weight: 8 })),
      candidate(deployment('b', { weight: 1 })),
      candidate(deployment('c', { weight: 3 })),
    ];
    const ctx = context();
    let bSecondAfterA = 0;
    let aFirst = 0;
    for (let i = 0; i < 4000; i++) {
      const order = ids(simpleShuffle.rank(input, ctx));
      if (order[0] === 'a') {
        aFirst++;
        if (order[1] === 'b') bSecondAfterA++;
      }
    }
    // Given a first, b comes next with probability 1 / (1 + 3).
    expect(bSecondAfterA / aFirst).toBeCloseTo(0.25, 1);
  });
});
