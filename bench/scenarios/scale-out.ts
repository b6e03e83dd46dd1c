// Scale-out: throughput with 1, 2 and 4 worker processes against a 50 ms fake at high concurrency, for
// Switchyard and (as the baseline for what this machine allows) bare BullMQ; efficiency vs linear.
import { availableParallelism } from 'node:os';
import { startFakeProvider, startRedis } from '@switchyard/testkit';
import { unboundedConfig } from '../lib/config.ts';
import { runSystem, type SystemRun } from '../lib/run-system.ts';
import { scaled } from '../lib/scale.ts';
import { fmt, type Scenario } from '../lib/scenario.ts';

const WORKERS = [1, 2, 4];
const CONCURRENCY = 200;
const LATENCY_MS = 50;

export const scaleOut: Scenario = {
  name: 'scale-out',
  description:
    `Jobs/s with ${WORKERS.join(', ')} worker processes × concurrency ${CONCURRENCY} against a ${LATENCY_MS} ms fake, ` +
    `closed loop with 2 callers per worker slot (a standing backlog); Switchyard and bare BullMQ`,
  async run() {
    const redis = await startRedis();
    const fake = await startFakeProvider({ latencyMs: LATENCY_MS });
    const config = unboundedConfig(fake.url, 10_000_000);
    const runs: SystemRun[] = [];
    try {
      for (const workers of WORKERS) {
        for (const system of ['bare', 'switchyard'] as const) {
          runs.push(
            await runSystem({
              system,
              redis,
              config,
              workers,
              concurrency: CONCURRENCY,
              callers: 2 * workers * CONCURRENCY,
              jobs: scaled(3000 * workers, 400),
              // Two jobs per caller: every worker slot and connection is in use before measuring.
              warmup: 4 * workers * CONCURRENCY,
            }),
          );
        }
      }
    } finally {
      await fake.close();
      await redis.stop();
    }
    const cores = availableParallelism();
    const get = (system: string, workers: number) =>
      runs.find((r) => r.system === system && r.workers === workers)!.load.jobsPerSec;
    const efficiency = (system: string, workers: number) => get(system, workers) / (workers * get(system, 1));
    const rows = WORKERS.map((n) => [
      n,
      n * CONCURRENCY,
      get('switchyard', n),
      `${fmt(efficiency('switchyard', n) * 100, 0)} %`,
      get('bare', n),
      `${fmt(efficiency('bare', n) * 100, 0)} %`,
      fmt(get('switchyard', n) / get('bare', n)),
    ]);
    const ceiling = (1000 / LATENCY_MS) * CONCURRENCY;
    return {
      lines: [
        ...WORKERS.map(
          (n) =>
            `${n} worker(s): switchyard ${get('switchyard', n)} jobs/s (${fmt(efficiency('switchyard', n) * 100, 0)} % of linear), ` +
            `bare BullMQ ${get('bare', n)} jobs/s (${fmt(efficiency('bare', n) * 100, 0)} % of linear)`,
        ),
        `this machine has ${cores} cores shared by Redis, the fake provider, the client and all workers: ` +
          'beyond ~2 processes, scale-out cannot be linear here; the bare BullMQ column shows what the machine allows',
      ],
      table: {
        header: [
          'worker processes',
          'total concurrency',
          'Switchyard jobs/s',
          'Switchyard vs linear',
          'bare BullMQ jobs/s',
          'bare vs linear',
          'ratio switchyard / bare',
        ],
        rows,
      },
      checks: [],
      data: { runs, cores, latencyMs: LATENCY_MS, concurrency: CONCURRENCY },
      notes: [
        `Each worker's latency-bound ceiling is ${ceiling} jobs/s (${CONCURRENCY} slots / ${LATENCY_MS} ms); anything below it is CPU.`,
        `${cores} cores on this machine: Redis, the fake, the client and every worker process share them.`,
      ],
    };
  },
};
