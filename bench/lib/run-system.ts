// The one parameterised runner behind overhead, redis-cost and scale-out: start a system's workers,
// drive a closed loop through them, and count the Redis work the measured jobs caused.
import type { TestRedis } from '@switchyard/testkit';
import {
  type CommandCounts,
  calls,
  commandStats,
  cpuMicros,
  diff,
  type MonitorTap,
  monitorClientCalls,
  scripts,
  total,
} from './commandstats.ts';
import { chatBody } from './config.ts';
import { closedLoop, type LoadResult } from './load.ts';
import { ownCpuMicros, processCpuMicros } from './process-cpu.ts';
import { switchyardScriptShas } from './scripts.ts';
import { type BenchConfig, type SystemName, startSystem } from './systems.ts';

export interface SystemRunOptions {
  system: SystemName;
  redis: TestRedis;
  config: BenchConfig;
  workers: number;
  concurrency: number;
  jobs: number;
  callers: number;
  warmup: number;
  /** Count top-level calls with MONITOR (exact round trips; slows Redis, so not for timing runs). */
  monitor?: boolean;
}

export interface SystemRun {
  system: SystemName;
  workers: number;
  concurrency: number;
  load: LoadResult;
  /** From INFO commandstats: every command Redis ran, Lua-internal ones included. */
  redis: {
    /** Redis server CPU (user + sys) over the measured part, per job. */
    cpuUsPerJob: number;
    allCommandsPerJob: number;
    scriptsPerJob: number;
    /** From MONITOR when enabled: commands clients sent (round trips), and the breakdown by name. */
    clientCallsPerJob?: number;
    clientCalls?: CommandCounts;
  };
  /** CPU per job over the measured part, in µs: all worker processes, and this process (callers + fake). */
  cpu: { workersUsPerJob: number; driverUsPerJob: number };
}

let runNo = 0;

export async function runSystem(opts: SystemRunOptions): Promise<SystemRun> {
  const queueName = `bench-${opts.system}-${++runNo}`;
  const running = await startSystem({
    system: opts.system,
    redisUrl: opts.redis.url,
    queueName,
    workers: opts.workers,
    concurrency: opts.concurrency,
    config: opts.config,
  });
  const stats = opts.redis.client();
  let before: CommandCounts = {};
  let after: CommandCounts = {};
  let cpu = 0;
  // The worker processes' CPU, then this process's (the callers and the in-process fake).
  const workersCpu = () => running.workers.reduce((a, w) => a + processCpuMicros(w.child.pid), 0);
  let own = [0, 0];
  let tap: MonitorTap | undefined;
  let clientCalls: CommandCounts | undefined;
  try {
    const load = await closedLoop({
      redisUrl: opts.redis.url,
      queueName,
      jobs: opts.jobs,
      callers: opts.callers,
      warmup: opts.warmup,
      body: (i) => chatBody(i),
      before: async () => {
        if (opts.monitor) tap = await monitorClientCalls(stats, switchyardScriptShas());
        before = await commandStats(stats);
        cpu = await cpuMicros(stats);
        own = [workersCpu(), ownCpuMicros()];
      },
      after: async () => {
        own = [workersCpu() - own[0]!, ownCpuMicros() - own[1]!];
        cpu = (await cpuMicros(stats)) - cpu;
        after = await commandStats(stats);
        clientCalls = await tap?.stop();
      },
    });
    const all = diff(after, before);
    const perJob = (n: number) => Number((n / load.jobs).toFixed(4));
    return {
      system: opts.system,
      workers: opts.workers,
      concurrency: opts.concurrency,
      load,
      redis: {
        cpuUsPerJob: Math.round(cpu / load.jobs),
        allCommandsPerJob: perJob(total(all)),
        scriptsPerJob: perJob(scripts(all)),
        ...(clientCalls
          ? {
              clientCallsPerJob: perJob(calls(clientCalls)),
              clientCalls: Object.fromEntries(Object.entries(clientCalls).map(([k, v]) => [k, perJob(v)])),
            }
          : {}),
      },
      cpu: {
        workersUsPerJob: Math.round(own[0]! / load.jobs),
        driverUsPerJob: Math.round(own[1]! / load.jobs),
      },
    };
  } finally {
    await running.stop();
    stats.disconnect();
  }
}
