// The worker's metric series (series.ts) render through a prom-client Registry as prom-client's own would:
// a counter's total, a gauge's last value, a histogram's cumulative buckets with `le` first, _sum and _count.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterFamily, GaugeFamily, HistogramFamily } from '../src/metrics/series.ts';

describe('metric series', () => {
  it('render counters, gauges and histograms in the Prometheus text format, one series per label set', async () => {
    const registry = new Registry();
    const calls = new CounterFamily('calls_total', 'Calls.', ['model', 'status'], registry);
    const state = new GaugeFamily('state', 'State.', ['model'], registry);
    const latency = new HistogramFamily('latency_seconds', 'Latency.', ['model'], registry, [0.125, 1]);
    const kept = { model: 'a', status: '200' };
    calls.kept(kept).inc();
    calls.kept(kept).inc(2);
    // Equal values, another object: the same series.
    calls.labels({ model: 'a', status: '200' }).inc();
    calls.labels({ model: 'b', status: '500' }).inc();
    // A counter never goes down.
    calls.labels({ model: 'b', status: '500' }).inc(-5);
    state.labels({ model: 'a' }).set(2);
    state.labels({ model: 'a' }).set(0);
    for (const v of [0.0625, 0.125, 0.5, 3]) latency.labels({ model: 'a' }).observe(v);
    latency.labels({ model: 'a' }).observe(Number.NaN);
    expect(await registry.metrics()).toBe(
      [
        '# HELP calls_total Calls.',
        '# TYPE calls_total counter',
        'calls_total{model="a",status="200"} 4',
        'calls_total{model="b",status="500"} 1',
        '',
        '# HELP state State.',
        '# TYPE state gauge',
        'state{model="a"} 0',
        '',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{le="0.125",model="a"} 2',
        'latency_seconds_bucket{le="1",model="a"} 3',
        'latency_seconds_bucket{le="+Inf",model="a"} 4',
        'latency_seconds_sum{model="a"} 3.6875',
        'latency_seconds_count{model="a"} 4',
        '',
      ].join('\n'),
    );
  });

  it('carry the registry default labels, as prom-client metrics do', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ worker: 'w1' });
    new CounterFamily('jobs_total', 'Jobs.', ['queue'], registry).labels({ queue: 'q' }).inc();
    expect(await registry.metrics()).toContain('jobs_total{queue="q",worker="w1"} 1');
  });
});
