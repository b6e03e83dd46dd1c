// Overhead: what routing costs per job. Switchyard vs a bare BullMQ worker making the same HTTP call to
// the same zero-latency fake, 1 worker process each, same concurrency, callers and job count, rounds
// interleaved (bare, switchyard, bare, …) so drifting machine load hits both alike.
import { startFakeProvider, startRedis } from '@switchyard/testkit';
import { benchConfig } from '../lib/config.ts';
import { runSystem, type SystemRun } from '../lib/run-system.ts';
import { scaled } from '../lib/scale.ts';
import { check, fmt, type Scenario } from '../lib/scenario.ts';

const CONCURRENCY = 50;
const ROUNDS = 2;

export const overhead: Scenario = {
  name: 'overhead',
  description:
    `Jobs/s and enqueue→result latency, 1 worker process × concurrency ${CONCURRENCY}, ${CONCURRENCY} closed-loop callers, ` +
    'zero-latency fake; Switchyard routes over 3 rpm/tpm-limited deployments (limits far above the load, so the ' +
    'window accounting runs), bare BullMQ calls the fake directly',
  async run() {
    const redis = await startRedis();
    const fake = await startFakeProvider({ latencyMs: 0 });
    const config = benchConfig(
      fake.url,
      ['bench-a', 'bench-b', 'bench-c'].map((model) => ({ model, rpm: 1_000_000, tpm: 1_000_000_000 })),
    );
    const runs: SystemRun[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (const system of ['bare', 'switchyard'] as const) {
          runs.push(
            await runSystem({
              system,
              redis,
              config,
              workers: 1,
              concurrency: CONCURRENCY,
              callers: CONCURRENCY,
              jobs: scaled(4000, 200),
              warmup: scaled(500, 50),
            }),
          );
        }
      }
    } finally {
      await fake.close();
      await redis.stop();
    }
    const sy = average(runs.filter((r) => r.system === 'switchyard'));
    const bare = average(runs.filter((r) => r.system === 'bare'));
    const throughput = ratio(sy.jobsPerSec, bare.jobsPerSec);
    const p50 = ratio(sy.p50Ms, bare.p50Ms);
    const p99 = ratio(sy.p99Ms, bare.p99Ms);
    return {
      lines: [
        `bare BullMQ: ${bare.jobsPerSec} jobs/s, p50 ${fmt(bare.p50Ms)} ms, p99 ${fmt(bare.p99Ms)} ms`,
        `switchyard:  ${sy.jobsPerSec} jobs/s, p50 ${fmt(sy.p50Ms)} ms, p99 ${fmt(sy.p99Ms)} ms`,
        `throughput ratio (switchyard / bare BullMQ): ${fmt(throughput)}`,
        `p50 latency ratio (switchyard / bare BullMQ): ${fmt(p50)}`,
        `p99 latency ratio (switchyard / bare BullMQ): ${fmt(p99)}`,
      ],
      table: {
        header: ['system', 'round', 'jobs', 'jobs/s', 'p50 ms', 'p99 ms', 'failed', 'Redis cmds/job (all)'],
        rows: [
          ...runs.map((r, i) => [
            r.system === 'bare' ? 'bare BullMQ' : 'Switchyard',
            Math.floor(i / 2) + 1,
            r.load.jobs,
            r.load.jobsPerSec,
            fmt(r.load.p50Ms),
            fmt(r.load.p99Ms),
            r.load.failed,
            r.redis.allCommandsPerJob,
          ]),
          ['**ratio** switchyard / bare', 'mean', '', fmt(throughput), fmt(p50), fmt(p99), '', ''],
        ],
      },
      checks: [
        check('overhead: throughput ratio vs bare BullMQ', Number(fmt(throughput)), '>=', 0.7),
        check('overhead: p50 latency ratio vs bare BullMQ', Number(fmt(p50)), '<=', 1.3),
      ],
      data: { runs, mean: { switchyard: sy, bare }, ratios: { throughput, p50, p99 } },
    };
  },
};

function average(runs: readonly SystemRun[]) {
  const mean = (f: (r: SystemRun) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
  return {
    jobsPerSec: Math.round(mean((r) => r.load.jobsPerSec)),
    p50Ms: mean((r) => r.load.p50Ms),
    p99Ms: mean((r) => r.load.p99Ms),
  };
}

function ratio(a: number, b: number): number {
  return b === 0 ? Number.NaN : a / b;
}
