// Overhead: what routing costs per job. Switchyard vs a bare BullMQ worker making the same HTTP call to
// the same zero-latency fake, 1 worker process each, same concurrency, callers and job count, rounds
// interleaved (bare, switchyard, bare, …) so drifting machine load hits both alike.
import { startFakeProvider, startRedis } from '@switchyard/testkit';
import { unboundedConfig } from '../lib/config.ts';
import { runSystem, type SystemRun } from '../lib/run-system.ts';
import { scaled } from '../lib/scale.ts';
import { check, fmt, type Scenario } from '../lib/scenario.ts';

const CONCURRENCY = 50;
const ROUNDS = 3;

export const overhead: Scenario = {
  name: 'overhead',
  description:
    `Jobs/s and enqueue→result latency, 1 worker process × concurrency ${CONCURRENCY}, ${CONCURRENCY} closed-loop callers, ` +
    'zero-latency fake; Switchyard routes over 3 rpm/tpm-limited deployments (limits far above the load, so the ' +
    'window accounting runs), bare BullMQ calls the fake directly',
  async run() {
    const redis = await startRedis();
    const fake = await startFakeProvider({ latencyMs: 0 });
    const config = unboundedConfig(fake.url);
    // The two systems differ only in `system`: same Redis, config, worker process and concurrency.
    const run = (system: 'bare' | 'switchyard', callers: number, jobs: number, warmup: number) =>
      runSystem({ system, redis, config, workers: 1, concurrency: CONCURRENCY, callers, jobs, warmup });
    const runs: SystemRun[] = [];
    const unloaded: SystemRun[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (const system of ['bare', 'switchyard'] as const) {
          runs.push(await run(system, CONCURRENCY, scaled(5000, 200), scaled(500, 50)));
        }
      }
      // One caller: nothing queues, so the latency difference is the per-job routing cost itself.
      for (const system of ['bare', 'switchyard'] as const) {
        unloaded.push(await run(system, 1, scaled(600, 50), 50));
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
    const [bare1, sy1] = unloaded.map((r) => r.load);
    const row = (r: SystemRun, round: string | number) => [
      r.system === 'bare' ? 'bare BullMQ' : 'Switchyard',
      round,
      r.load.jobs,
      r.load.jobsPerSec,
      fmt(r.load.p50Ms),
      fmt(r.load.p99Ms),
      r.load.failed,
      r.redis.cpuUsPerJob,
      fmt(r.redis.allCommandsPerJob, 1),
    ];
    return {
      lines: [
        `bare BullMQ: ${bare.jobsPerSec} jobs/s, p50 ${fmt(bare.p50Ms)} ms, p99 ${fmt(bare.p99Ms)} ms`,
        `switchyard:  ${sy.jobsPerSec} jobs/s, p50 ${fmt(sy.p50Ms)} ms, p99 ${fmt(sy.p99Ms)} ms`,
        `throughput ratio (switchyard / bare BullMQ): ${fmt(throughput)}`,
        `p50 latency ratio (switchyard / bare BullMQ): ${fmt(p50)}`,
        `p99 latency ratio (switchyard / bare BullMQ): ${fmt(p99)}`,
        `Redis CPU per job: bare BullMQ ${bare.redisCpuUsPerJob} µs, switchyard ${sy.redisCpuUsPerJob} µs`,
        `one caller (unloaded) p50: bare BullMQ ${fmt(bare1!.p50Ms)} ms, switchyard ${fmt(sy1!.p50Ms)} ms ` +
          `(ratio ${fmt(ratio(sy1!.p50Ms, bare1!.p50Ms))}, +${fmt(sy1!.p50Ms - bare1!.p50Ms)} ms per job)`,
      ],
      table: {
        header: [
          'system',
          'round',
          'jobs',
          'jobs/s',
          'p50 ms',
          'p99 ms',
          'failed',
          'Redis CPU µs/job',
          'Redis cmds/job (all)',
        ],
        rows: [
          ...runs.map((r, i) => row(r, Math.floor(i / 2) + 1)),
          ['**ratio** switchyard / bare', 'mean', '', fmt(throughput), fmt(p50), fmt(p99), '', '', ''],
          ...unloaded.map((r) => row(r, '1 caller')),
        ],
      },
      checks: [
        check('overhead: throughput ratio vs bare BullMQ', Number(fmt(throughput)), '>=', 0.7),
        check('overhead: p50 latency ratio vs bare BullMQ', Number(fmt(p50)), '<=', 1.3),
      ],
      data: {
        runs,
        unloaded,
        mean: { switchyard: sy, bare },
        ratios: { throughput, p50, p99, unloadedP50: ratio(sy1!.p50Ms, bare1!.p50Ms) },
      },
      notes: [
        `Rounds are ${CONCURRENCY} callers against ${CONCURRENCY} worker slots: the machine is saturated, so latency there is mostly waiting for CPU (Little's law), and its ratio tracks the inverse throughput ratio.`,
        'The "1 caller" rows have nothing queued: their p50 difference is what routing adds to one job.',
      ],
    };
  },
};

function average(runs: readonly SystemRun[]) {
  const mean = (f: (r: SystemRun) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
  return {
    jobsPerSec: Math.round(mean((r) => r.load.jobsPerSec)),
    p50Ms: mean((r) => r.load.p50Ms),
    p99Ms: mean((r) => r.load.p99Ms),
    redisCpuUsPerJob: Math.round(mean((r) => r.redis.cpuUsPerJob)),
  };
}

function ratio(a: number, b: number): number {
  return b === 0 ? Number.NaN : a / b;
}
