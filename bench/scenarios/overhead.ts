// Overhead: what routing costs per job. Switchyard vs a bare BullMQ worker making the same HTTP call to
// the same zero-latency fake, 1 worker process each, same concurrency, callers and job count, rounds
// interleaved (bare, switchyard, …, the order turning each round) so drifting machine load hits all alike.
import { startFakeProvider, startRedis } from '@switchyard/testkit';
import { unboundedConfig, withObservability } from '../lib/config.ts';
import { interleaved, meanAndError, type RoundResult, roundsFromEnv } from '../lib/rounds.ts';
import { runSystem, type SystemRun } from '../lib/run-system.ts';
import { scaled } from '../lib/scale.ts';
import { check, fmt, type Scenario } from '../lib/scenario.ts';

const CONCURRENCY = 50;
// BENCH_ROUNDS=N: a ratio's run-to-run spread (±0.05 on 2 shared cores) shrinks with √N, and the
// observability drop is a difference of two such ratios.
const ROUNDS = roundsFromEnv(3);
const UNLOADED_ROUNDS = 2;

/**
 * The measured systems: bare BullMQ, Switchyard as configured, with quota leases off, and with metrics, the
 * event stream and spans on (the last two differ from the second in one setting, in the same rounds).
 */
interface Variant {
  label: string;
  system: 'bare' | 'switchyard';
  settings: 'default' | 'leases off' | 'observability';
}
const VARIANTS: readonly Variant[] = [
  { label: 'bare BullMQ', system: 'bare', settings: 'default' },
  { label: 'Switchyard', system: 'switchyard', settings: 'default' },
  { label: 'Switchyard, lease_units 1', system: 'switchyard', settings: 'leases off' },
  { label: 'Switchyard, observability on', system: 'switchyard', settings: 'observability' },
];

export const overhead: Scenario = {
  name: 'overhead',
  description:
    `Jobs/s and enqueue→result latency, 1 worker process × concurrency ${CONCURRENCY}, ${CONCURRENCY} closed-loop callers, ` +
    'zero-latency fake; Switchyard routes over 3 rpm/tpm-limited deployments (limits far above the load, so the ' +
    'window accounting runs), with quota leases (default) and without (lease_units: 1); bare BullMQ calls the ' +
    'fake directly',
  async run() {
    const redis = await startRedis();
    const fake = await startFakeProvider({ latencyMs: 0 });
    const leased = unboundedConfig(fake.url);
    const configs = {
      default: leased,
      'leases off': { ...leased, switchyard_settings: { ...leased.switchyard_settings, lease_units: 1 } },
      observability: withObservability(leased),
    };
    // The variants differ only in `system` and one setting: same Redis, worker process and concurrency.
    const run = (v: Variant, callers: number, jobs: number, warmup: number) =>
      runSystem({
        system: v.system,
        redis,
        config: configs[v.settings],
        workers: 1,
        concurrency: CONCURRENCY,
        callers,
        jobs,
        warmup,
      });
    let runs: RoundResult<Variant, SystemRun>[];
    let unloaded: RoundResult<Variant, SystemRun>[];
    try {
      runs = await interleaved(VARIANTS, ROUNDS, (v) =>
        run(v, CONCURRENCY, scaled(5000, 200), scaled(500, 50)),
      );
      // One caller: nothing queues, so the latency difference is the per-job routing cost itself. Two
      // rounds, turned like the others: a fixed order put observability last every time.
      unloaded = await interleaved(VARIANTS, UNLOADED_ROUNDS, (v) => run(v, 1, scaled(600, 50), 50));
    } finally {
      await fake.close();
      await redis.stop();
    }
    const meanOf = (all: RoundResult<Variant, SystemRun>[], v: Variant) =>
      average(all.filter((r) => r.variant === v).map((r) => r.result));
    const mean = (v: Variant) => meanOf(runs, v);
    const [bareV, syV, offV, obsV] = VARIANTS as [Variant, Variant, Variant, Variant];
    const bare = mean(bareV);
    const sy = mean(syV);
    const off = mean(offV);
    const obs = mean(obsV);
    const throughput = ratio(sy.jobsPerSec, bare.jobsPerSec);
    const obsThroughput = ratio(obs.jobsPerSec, bare.jobsPerSec);
    // Paired by round (each round's two ratios share its bare run), so slow drift cancels.
    const inRound = (v: Variant, round: number) =>
      runs.find((r) => r.variant === v && r.round === round)!.result.load.jobsPerSec;
    const drops = Array.from({ length: ROUNDS }, (_, i) => {
      const base = inRound(bareV, i + 1);
      return (inRound(syV, i + 1) - inRound(obsV, i + 1)) / base;
    });
    const { mean: obsDrop, se: obsDropError } = meanAndError(drops);
    // A second estimate of the drop, from CPU per job (worker + Redis + driver): on a saturated machine
    // jobs/s ∝ 1 / CPU per job. It tells where a difference comes from; it is no less noisy.
    const obsDropByCpu = throughput * (1 - sy.totalCpuUsPerJob / obs.totalCpuUsPerJob);
    const p50 = ratio(sy.p50Ms, bare.p50Ms);
    const p99 = ratio(sy.p99Ms, bare.p99Ms);
    const cpu = ratio(sy.redisCpuUsPerJob, bare.redisCpuUsPerJob);
    const single = (v: Variant) => meanOf(unloaded, v);
    const [bare1, sy1, off1, obs1] = [single(bareV), single(syV), single(offV), single(obsV)];
    const added = sy1.p50Ms - bare1.p50Ms;
    const row = (label: string, r: SystemRun, round: string | number) => [
      label,
      round,
      r.load.jobs,
      r.load.jobsPerSec,
      fmt(r.load.p50Ms),
      fmt(r.load.p99Ms),
      r.load.failed,
      r.redis.cpuUsPerJob,
      r.cpu.workersUsPerJob,
      r.cpu.driverUsPerJob,
      fmt(r.redis.allCommandsPerJob, 1),
    ];
    return {
      lines: [
        `bare BullMQ: ${bare.jobsPerSec} jobs/s, p50 ${fmt(bare.p50Ms)} ms, p99 ${fmt(bare.p99Ms)} ms`,
        `switchyard:  ${sy.jobsPerSec} jobs/s, p50 ${fmt(sy.p50Ms)} ms, p99 ${fmt(sy.p99Ms)} ms`,
        `switchyard without leases: ${off.jobsPerSec} jobs/s (${fmt(ratio(off.jobsPerSec, bare.jobsPerSec))}× bare), ` +
          `Redis CPU ${off.redisCpuUsPerJob} µs/job`,
        `switchyard with observability on: ${obs.jobsPerSec} jobs/s (${fmt(obsThroughput)}× bare), drop ` +
          `${fmt(obsDrop)} ± ${fmt(2 * obsDropError)} (mean of ${ROUNDS} rounds' paired drops ± 2 standard errors; from CPU per job: ${fmt(obsDropByCpu)}); CPU µs/job worker ${obs.workerCpuUsPerJob} vs ` +
          `${sy.workerCpuUsPerJob}, Redis ${obs.redisCpuUsPerJob} vs ${sy.redisCpuUsPerJob}, driver ` +
          `${obs.driverCpuUsPerJob} vs ${sy.driverCpuUsPerJob}`,
        `throughput ratio (switchyard / bare BullMQ): ${fmt(throughput)}`,
        `p50 latency ratio (switchyard / bare BullMQ): ${fmt(p50)}`,
        `p99 latency ratio (switchyard / bare BullMQ): ${fmt(p99)}`,
        `Redis CPU per job: bare BullMQ ${bare.redisCpuUsPerJob} µs, switchyard ${sy.redisCpuUsPerJob} µs (${fmt(cpu)}×)`,
        `one caller (unloaded) p50, mean of ${UNLOADED_ROUNDS} rounds: bare BullMQ ${fmt(bare1.p50Ms)} ms, switchyard ${fmt(sy1.p50Ms)} ms ` +
          `(+${fmt(added)} ms per job; without leases +${fmt(off1.p50Ms - bare1.p50Ms)} ms; observability on ` +
          `+${fmt(obs1.p50Ms - bare1.p50Ms)} ms)`,
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
          'worker CPU µs/job',
          'driver CPU µs/job',
          'Redis cmds/job (all)',
        ],
        rows: [
          ...runs.map((r) => row(r.variant.label, r.result, r.round)),
          [
            '**ratio** switchyard / bare',
            'mean',
            '',
            fmt(throughput),
            fmt(p50),
            fmt(p99),
            '',
            fmt(cpu),
            '',
            '',
            '',
          ],
          ...unloaded.map((u) => row(u.variant.label, u.result, `1 caller, ${u.round}`)),
        ],
      },
      checks: [
        check('overhead: throughput ratio vs bare BullMQ', Number(fmt(throughput)), '>=', 0.85),
        check('overhead: Redis CPU per job vs bare BullMQ', Number(fmt(cpu)), '<=', 1.25),
        check('overhead: unloaded added p50 ms', Number(fmt(added)), '<=', 0.3),
        check('overhead: throughput ratio drop with observability on', Number(fmt(obsDrop)), '<=', 0.03),
      ],
      data: {
        runs,
        unloaded,
        mean: { switchyard: sy, bare, switchyardWithoutLeases: off, switchyardObservabilityOn: obs },
        ratios: {
          throughput,
          p50,
          p99,
          redisCpu: cpu,
          unloadedP50: ratio(sy1.p50Ms, bare1.p50Ms),
          observabilityOn: obsThroughput,
          observabilityDrop: obsDrop,
          observabilityDropStandardError: obsDropError,
          observabilityDropsByRound: drops,
          observabilityDropByCpu: obsDropByCpu,
        },
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
    workerCpuUsPerJob: Math.round(mean((r) => r.cpu.workersUsPerJob)),
    driverCpuUsPerJob: Math.round(mean((r) => r.cpu.driverUsPerJob)),
    totalCpuUsPerJob: mean((r) => r.redis.cpuUsPerJob + r.cpu.workersUsPerJob + r.cpu.driverUsPerJob),
  };
}

function ratio(a: number, b: number): number {
  return b === 0 ? Number.NaN : a / b;
}
