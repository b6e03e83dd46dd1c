import { describe, expect, it } from 'vitest';
import { usageBased, usageBasedV2, wouldExceedLimits } from '../../src/strategies/usage-based/index.ts';
import { candidate, context, deployment, firstPickShares, ids } from './fixtures.ts';

describe.each([usageBased, usageBasedV2])('$name', (strategy) => {
  it('puts the lowest TPM usage first, then lower RPM usage', () => {
    const input = [
      candidate(deployment('heavy'), { tpmUsed: 5000, rpmUsed: 1 }),
      candidate(deployment('light-more-requests'), { tpmUsed: 100, rpmUsed: 9 }),
      candidate(deployment('light-fewer-requests'), { tpmUsed: 100, rpmUsed: 2 }),
    ];
    expect(ids(strategy.rank(input, context()))).toEqual([
      'light-fewer-requests',
      'light-more-requests',
      'heavy',
    ]);
  });

  it('puts deployments this request would push over tpm or rpm last, without dropping them', () => {
    const input = [
      candidate(deployment('tpm-full', { tpm: 1000 }), { tpmUsed: 950 }),
      candidate(deployment('rpm-full', { rpm: 5 }), { rpmUsed: 5 }),
      candidate(deployment('busy-but-free', { tpm: 100_000 }), { tpmUsed: 50_000 }),
    ];
    const out = ids(strategy.rank(input, context({ estimatedTokens: 100 })));
    expect(out[0]).toBe('busy-but-free');
    expect(out.slice(1).sort()).toEqual(['rpm-full', 'tpm-full']);
  });

  it('shares load between equally used deployments (LiteLLM: both picked over 1,000 selections)', () => {
    const input = ['a', 'b'].map((id) => candidate(deployment(id), { tpmUsed: 10 }));
    const shares = firstPickShares(1000, (ctx) => strategy.rank(input, ctx));
    expect(shares.get('a')).toBeCloseTo(0.5, 1);
  });
});

describe('wouldExceedLimits', () => {
  it('lets a deployment take its rpm-th request (> not >=, LiteLLM #33032)', () => {
    const d = deployment('d', { rpm: 10 });
    expect(wouldExceedLimits(candidate(d, { rpmUsed: 9 }), 0)).toBe(false);
    expect(wouldExceedLimits(candidate(d, { rpmUsed: 10 }), 0)).toBe(true);
  });

  it('counts this request’s estimated tokens against tpm', () => {
    const d = deployment('d', { tpm: 1000 });
    expect(wouldExceedLimits(candidate(d, { tpmUsed: 900 }), 100)).toBe(false);
    expect(wouldExceedLimits(candidate(d, { tpmUsed: 900 }), 101)).toBe(true);
    expect(wouldExceedLimits(candidate(deployment('unlimited'), { tpmUsed: 1e9 }), 1e9)).toBe(false);
  });
});
