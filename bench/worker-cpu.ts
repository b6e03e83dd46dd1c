// `node bench/worker-cpu.ts [jobs]`: one Switchyard worker process (concurrency 50) against the zero-latency
// fake, 50 closed-loop callers, and what the measured jobs cost it — the worker's own CPU time (user + sys,
// from /proc, all its threads) per job, and Redis commands (INFO commandstats) and CPU per job. CPU time,
// unlike jobs/s, hardly moves with the machine's load, so it compares builds and settings on a busy box.
// BENCH_OBSERVABILITY=1 turns metrics, the event stream and spans on (bench/lib/config.ts).
// CPU_PROF=DIR also writes the worker's V8 CPU profile there and prints its top functions by self time
// over the measured jobs only, scaled to µs per job by the /proc CPU time (the profiler itself adds CPU).
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startFakeProvider, startRedis } from '@switchyard/testkit';
import { commandStats, cpuMicros, diff, total } from './lib/commandstats.ts';
import { chatBody, unboundedConfig } from './lib/config.ts';
import { closedLoop } from './lib/load.ts';
import { processCpuMicros } from './lib/process-cpu.ts';
import { startSystem } from './lib/systems.ts';

/** Functions whose inclusive time (callees included) is printed too: the observers' entry points. */
const INCLUSIVE = /observability\/src|worker\/src\/job\/observe|usage-recorder/;
const OBSERVABILITY = /observability\/src/;
const JOBS = Number(process.argv[2] ?? 6000);
const WARMUP = 1500;
const CONCURRENCY = 50;
const profDir = process.env.CPU_PROF ? resolve(process.env.CPU_PROF) : undefined;
if (profDir) mkdirSync(profDir, { recursive: true });

const redis = await startRedis();
const fake = await startFakeProvider({ latencyMs: 0 });
const queueName = 'cpu';
const running = await startSystem({
  system: 'switchyard',
  redisUrl: redis.url,
  queueName,
  workers: 1,
  concurrency: CONCURRENCY,
  config: unboundedConfig(fake.url),
  ...(profDir
    ? { env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-interval=250 --cpu-prof-dir=${profDir}` } }
    : {}),
});
const pid = running.workers[0]!.child.pid!;
const stats = redis.client();
let cpu0 = 0;
let cpu1 = 0;
let redisCpu = 0;
let before = {};
let after = {};
// Monotonic µs, the clock V8's profile timestamps use.
let t0 = 0n;
let t1 = 0n;
const load = await closedLoop({
  redisUrl: redis.url,
  queueName,
  jobs: JOBS,
  callers: CONCURRENCY,
  warmup: WARMUP,
  body: (i) => chatBody(i),
  before: async () => {
    before = await commandStats(stats);
    redisCpu = await cpuMicros(stats);
    t0 = process.hrtime.bigint() / 1000n;
    cpu0 = processCpuMicros(pid);
  },
  after: async () => {
    cpu1 = processCpuMicros(pid);
    t1 = process.hrtime.bigint() / 1000n;
    redisCpu = (await cpuMicros(stats)) - redisCpu;
    after = await commandStats(stats);
  },
});
await running.stop();
stats.disconnect();
await fake.close();
await redis.stop();

const perJob = (n: number) => n / load.jobs;
const cmds = diff(after, before);
const workerUs = perJob(cpu1 - cpu0);
console.log(
  `observability ${process.env.BENCH_OBSERVABILITY === '1' ? 'on' : 'off'}: ${load.jobs} jobs, ${load.jobsPerSec} jobs/s, ` +
    `${load.failed} failed; worker CPU ${workerUs.toFixed(0)} µs/job; Redis CPU ${perJob(redisCpu).toFixed(0)} µs/job; ` +
    `Redis commands ${perJob(total(cmds)).toFixed(2)}/job`,
);
console.log(
  `  commands/job: ${Object.entries(cmds)
    .filter(([name]) => !name.includes(':') || name.startsWith('evalsha'))
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${perJob(n).toFixed(2)}`)
    .join(', ')}`,
);
if (profDir) printProfile(profDir, workerUs);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time by function over [t0, t1], as µs per job of the worker's measured CPU. */
function printProfile(dir: string, cpuPerJob: number): void {
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .at(-1);
  if (!file) {
    console.log('  no profile written');
    return;
  }
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let t = p.startTime;
  let busy = 0;
  let observability = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    if (t < Number(t0) || t > Number(t1)) continue;
    const { callFrame: f } = byId.get(p.samples[i]!)!;
    if (f.functionName === '(idle)') continue;
    const key = keyOf(f);
    self.set(key, (self.get(key) ?? 0) + 1);
    busy++;
    const seen = new Set<string>();
    let inObservability = false;
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (OBSERVABILITY.test(frame.url)) inObservability = true;
      if (!INCLUSIVE.test(frame.url)) continue;
      const k = keyOf(frame);
      if (!seen.has(k)) inclusive.set(k, (inclusive.get(k) ?? 0) + 1);
      seen.add(k);
    }
    if (inObservability) observability++;
  }
  console.log(`  profile ${file}: ${busy} JS samples in the measured part; top self time, µs/job:`);
  for (const [key, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40)))
    console.log(`  ${((n / busy) * cpuPerJob).toFixed(1).padStart(7)}  ${key}`);
  console.log(
    `  samples with packages/observability on the stack: ${((observability / busy) * 100).toFixed(1)}% = ${((observability / busy) * cpuPerJob).toFixed(1)} µs/job`,
  );
  console.log('  observers, inclusive time, µs/job:');
  for (const [key, n] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`  ${((n / busy) * cpuPerJob).toFixed(1).padStart(7)}  ${key}`);
}

function keyOf(f: ProfileNode['callFrame']): string {
  const file = f.url.replace(/^.*\/(node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?|packages\/)/, '');
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`;
}
