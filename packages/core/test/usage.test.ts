import { describe, expect, it } from 'vitest';
import {
  addCall,
  bucketStarts,
  emptyTotals,
  granularityFor,
  latencyPercentile,
  usageRows,
} from '../src/index.ts';

describe('usage totals', () => {
  it('add calls: successes, failures by type, tokens, cost, and latency percentiles from the histogram', () => {
    const t = emptyTotals();
    for (let i = 0; i < 19; i++) {
      addCall(t, { ok: true, promptTokens: 10, completionTokens: 5, cost: 0.001, latencyMs: 40 });
    }
    addCall(t, {
      ok: false,
      errorType: 'Timeout',
      promptTokens: 0,
      completionTokens: 0,
      cost: 0,
      latencyMs: 9_000,
    });
    const [row] = usageRows(new Map([['d1', t]]));
    expect(row).toMatchObject({
      id: 'd1',
      requests: 20,
      successes: 19,
      failures: { Timeout: 1 },
      promptTokens: 190,
      completionTokens: 95,
      totalTokens: 285,
      latencyP50Ms: 50,
      latencyP95Ms: 50,
    });
    expect(row!.cost).toBeCloseTo(0.019, 12);
    expect(latencyPercentile(t.latency, 1)).toBe(10_000);
    expect(latencyPercentile(emptyTotals().latency, 0.5)).toBeUndefined();
  });

  it('answers short spans from minute buckets and long ones from coarser buckets that live longer', () => {
    expect(granularityFor(3_600_000).name).toBe('minute');
    expect(granularityFor(24 * 3_600_000).name).toBe('hour');
    expect(granularityFor(7 * 86_400_000).name).toBe('day');
    const now = Date.UTC(2026, 0, 1, 12, 30, 30);
    const starts = bucketStarts(now, 5 * 60_000, granularityFor(5 * 60_000));
    expect(starts).toHaveLength(6);
    expect(starts[0]).toBe(Date.UTC(2026, 0, 1, 12, 25));
  });
});
