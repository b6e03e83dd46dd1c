// Redis cost per job: round trips (commands clients sent, counted with MONITOR) and all commands
// (INFO commandstats, which counts Lua-internal ones too), Switchyard vs bare BullMQ, same workload as
// overhead but smaller because MONITOR slows Redis. Timing numbers from this scenario are not used.
import { startFakeProvider, startRedis } from '@switchyard/testkit';
import { unboundedConfig } from '../lib/config.ts';
import { runSystem, type SystemRun } from '../lib/run-system.ts';
import { scaled } from '../lib/scale.ts';
import { check, fmt, type Scenario } from '../lib/scenario.ts';

const CONCURRENCY = 50;
/** Switchyard's scripts run once per attempt (release only for a reservation left unused). */
const PER_ATTEMPT = ['reserveCapacity', 'recordOutcome', 'releaseReservation'];

export const redisCost: Scenario = {
  name: 'redis-cost',
  description:
    `Redis commands and round trips per job (1 worker × concurrency ${CONCURRENCY}, zero-latency fake, ` +
    'client included): top-level calls from MONITOR, all commands from INFO commandstats',
  async run() {
    const redis = await startRedis();
    const fake = await startFakeProvider({ latencyMs: 0 });
    const config = unboundedConfig(fake.url);
    const runs: Record<string, SystemRun> = {};
    try {
      for (const system of ['bare', 'switchyard'] as const) {
        runs[system] = await runSystem({
          system,
          redis,
          config,
          workers: 1,
          concurrency: CONCURRENCY,
          callers: CONCURRENCY,
          jobs: scaled(2000, 200),
          warmup: scaled(200, 20),
          monitor: true,
        });
      }
    } finally {
      await fake.close();
      await redis.stop();
    }
    const sy = runs.switchyard!;
    const bare = runs.bare!;
    // No faults and no limits in reach: every job is exactly one attempt.
    const attempts = sy.load.jobs - sy.load.failed;
    const own = (name: string) =>
      (sy.redis.clientCalls?.[`evalsha:${name}`] ?? 0) * (sy.load.jobs / attempts);
    const perAttempt = PER_ATTEMPT.reduce((n, name) => n + own(name), 0);
    // The strategy's snapshot is refreshed in the background (every 250 ms per worker and group), not per attempt.
    const snapshotPerJob = own('snapshotDeployments');
    const row = (label: string, r: SystemRun) => [
      label,
      r.load.jobs,
      fmt(r.redis.clientCallsPerJob ?? Number.NaN),
      fmt(r.redis.scriptsPerJob),
      fmt(r.redis.allCommandsPerJob, 1),
      topCalls(r),
    ];
    return {
      lines: [
        `calls from clients per job: bare BullMQ ${fmt(bare.redis.clientCallsPerJob!)}, switchyard ${fmt(sy.redis.clientCallsPerJob!)}`,
        `all commands per job (incl. inside Lua): bare BullMQ ${fmt(bare.redis.allCommandsPerJob, 1)}, switchyard ${fmt(sy.redis.allCommandsPerJob, 1)}`,
        `routing + recording round trips per attempt: ${fmt(perAttempt)} (${PER_ATTEMPT.map((n) => `${n} ${fmt(own(n), 3)}`).join(', ')})`,
        `plus background snapshot refreshes: ${fmt(snapshotPerJob, 4)} per job (250 ms timer per worker, not per attempt)`,
      ],
      table: {
        header: [
          'system',
          'jobs',
          'calls from clients / job',
          'EVALSHA+EVAL / job',
          'all commands / job',
          'top calls / job',
        ],
        rows: [
          row('bare BullMQ', bare),
          row('Switchyard', sy),
          [
            'Switchyard − bare',
            '',
            fmt(sy.redis.clientCallsPerJob! - bare.redis.clientCallsPerJob!),
            fmt(sy.redis.scriptsPerJob - bare.redis.scriptsPerJob),
            fmt(sy.redis.allCommandsPerJob - bare.redis.allCommandsPerJob, 1),
            `routing + recording per attempt: ${fmt(perAttempt)}`,
          ],
        ],
      },
      checks: [
        check('redis-cost: routing + recording round trips per attempt', Number(fmt(perAttempt)), '<=', 0.5),
      ],
      data: { runs, routingRoundTripsPerAttempt: perAttempt, snapshotRefreshesPerJob: snapshotPerJob },
      notes: [
        'Both systems include the client side: the add EVALSHA and the shared QueueEvents XREAD.',
        "Routing + recording = EVALSHAs of Switchyard's reserve/record/release scripts (identified by SHA1) per attempt; the strategy snapshot refresh runs on a 250 ms timer and is reported apart.",
      ],
    };
  },
};

/** The most frequent top-level commands, e.g. "evalsha 3.01, xread 0.4". */
function topCalls(r: SystemRun): string {
  return Object.entries(r.redis.clientCalls ?? {})
    .filter(([name]) => name !== 'evalsha')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, n]) => `${name} ${fmt(n, 3)}`)
    .join(', ');
}
