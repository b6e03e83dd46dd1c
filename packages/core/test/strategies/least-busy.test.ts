import { describe, expect, it } from 'vitest';
import { leastBusy } from '../../src/strategies/least-busy/index.ts';
import { candidate, context, deployment, firstPickShares, ids } from './fixtures.ts';

describe('least-busy', () => {
  it('orders by requests in flight, fewest first', () => {
    const input = [
      candidate(deployment('busy'), { inflight: 9 }),
      candidate(deployment('idle'), { inflight: 0 }),
      candidate(deployment('some'), { inflight: 3 }),
    ];
    expect(ids(leastBusy.rank(input, context()))).toEqual(['idle', 'some', 'busy']);
  });

  it('treats a deployment with no snapshot yet as idle', () => {
    const input = [candidate(deployment('busy'), { inflight: 1 }), candidate(deployment('new'))];
    expect(ids(leastBusy.rank(input, context()))[0]).toBe('new');
  });

  it('breaks ties at random instead of always favouring the first listed', () => {
    const input = ['a', 'b'].map((id) => candidate(deployment(id), { inflight: 2 }));
    const shares = firstPickShares(2000, (ctx) => leastBusy.rank(input, ctx));
    expect(shares.get('a')).toBeCloseTo(0.5, 1);
  });
});
