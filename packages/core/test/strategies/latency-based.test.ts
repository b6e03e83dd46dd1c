import { describe, expect, it } from 'vitest';
import { latencyBased } from '../../src/strategies/latency-based/index.ts';
import { candidate, context, deployment, firstPickShares, ids, NOW } from './fixtures.ts';

const fresh = (latencyMs: number) => ({ latencyMs, latencyAtMs: NOW - 1000 });

describe('latency-based-routing', () => {
  it('orders by average latency, fastest first', () => {
    const input = [
      candidate(deployment('slow'), fresh(300)),
      candidate(deployment('fast'), fresh(20)),
      candidate(deployment('mid'), fresh(80)),
    ];
    expect(ids(latencyBased.rank(input, context()))).toEqual(['fast', 'mid', 'slow']);
  });

  it('always picks the single best with buffer 0 (LiteLLM: 50 picks → 1 distinct)', () => {
    const input = [candidate(deployment('a'), fresh(100)), candidate(deployment('b'), fresh(120))];
    const shares = firstPickShares(50, (ctx) => latencyBased.rank(input, ctx));
    expect([...shares.keys()]).toEqual(['a']);
  });

  it('shuffles deployments within lowest_latency_buffer of the best, keeps the rest behind', () => {
    const input = [
      candidate(deployment('best'), fresh(100)),
      candidate(deployment('close'), fresh(140)),
      candidate(deployment('far'), fresh(151)),
    ];
    const args = { lowest_latency_buffer: 0.5 };
    const shares = firstPickShares(2000, (ctx) => latencyBased.rank(input, { ...ctx, args }));
    expect(shares.get('best')).toBeCloseTo(0.5, 1);
    expect(shares.get('close')).toBeCloseTo(0.5, 1);
    expect(shares.has('far')).toBe(false);
    expect(ids(latencyBased.rank(input, context({ args }))).at(-1)).toBe('far');
  });

  it('tries deployments with no latency sample first (exploration)', () => {
    const input = [candidate(deployment('known'), fresh(1)), candidate(deployment('new'))];
    expect(ids(latencyBased.rank(input, context()))).toEqual(['new', 'known']);
  });

  it('treats samples older than ttl as unknown', () => {
    const input = [
      candidate(deployment('stale-slow'), { latencyMs: 1000, latencyAtMs: NOW - 61_000 }),
      candidate(deployment('fresh-slow'), fresh(500)),
      candidate(deployment('fresh-fast'), fresh(50)),
    ];
    // Default ttl 3600 s: the 61 s old sample still counts, so it is the slowest.
    expect(ids(latencyBased.rank(input, context()))).toEqual(['fresh-fast', 'fresh-slow', 'stale-slow']);
    // ttl 60 s: it becomes unknown and is explored first.
    expect(ids(latencyBased.rank(input, context({ args: { ttl: 60 } })))).toEqual([
      'stale-slow',
      'fresh-fast',
      'fresh-slow',
    ]);
  });

  it('rejects a malformed lowest_latency_buffer with a message naming it', () => {
    const input = [candidate(deployment('a'), fresh(1))];
    expect(() => latencyBased.rank(input, context({ args: { lowest_latency_buffer: 'big' } }))).toThrow(
      /routing_strategy_args\.lowest_latency_buffer/,
    );
  });
});
