// `pnpm bench [scenario…]`: runs the scenarios (all by default), prints each one's numbers and target
// checks, and writes bench/results/latest.{json,md}. Not part of `pnpm test`: it takes minutes.
import { loadavg } from 'node:os';
import { startRedis } from '@switchyard/testkit';
import { machineInfo } from './lib/machine.ts';
import { checkLine, machineLine, markdownTable, type ScenarioEntry, writeReport } from './lib/report.ts';
import { SCALE } from './lib/scale.ts';
import type { Scenario } from './lib/scenario.ts';
import { batch } from './scenarios/batch.ts';
import { cluster } from './scenarios/cluster.ts';
import { overhead } from './scenarios/overhead.ts';
import { pacing } from './scenarios/pacing.ts';
import { redisCost } from './scenarios/redis-cost.ts';
import { routing } from './scenarios/routing.ts';
import { scaleOut } from './scenarios/scale-out.ts';
import { streaming } from './scenarios/streaming.ts';

const SCENARIOS: Scenario[] = [overhead, scaleOut, pacing, redisCost, routing, batch, streaming, cluster];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !SCENARIOS.some((s) => s.name === name));
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length ? SCENARIOS.filter((s) => wanted.includes(s.name)) : SCENARIOS;

// Machine facts come from a throwaway Redis of the same kind the scenarios start.
const probe = await startRedis();
const probeClient = probe.client();
const machine = await machineInfo(probeClient);
probeClient.disconnect();
await probe.stop();
console.log(`machine: ${machineLine(machine)}`);
if (machine.cores <= 2) {
  console.log(
    `note: only ${machine.cores} cores for Redis, the fake provider, the client and every worker process`,
  );
}
if (SCALE !== 1) console.log(`note: BENCH_SCALE=${SCALE} (job counts scaled; not for publishing)`);

const started = performance.now();
const entries: Record<string, ScenarioEntry> = {};
for (const scenario of selected) {
  console.log(`\n== ${scenario.name}: ${scenario.description}`);
  const t0 = performance.now();
  const result = await scenario.run();
  const seconds = (performance.now() - t0) / 1000;
  entries[scenario.name] = {
    ...result,
    description: scenario.description,
    seconds,
    ranAt: new Date().toISOString(),
  };
  console.log(markdownTable(result.table));
  for (const line of result.lines) console.log(line);
  for (const c of result.checks) console.log(checkLine(c));
  for (const note of result.notes ?? []) console.log(`note: ${note}`);
  if (result.details) console.log(result.details);
  console.log(`(${seconds.toFixed(0)} s, load avg now ${loadavg()[0]!.toFixed(2)})`);
}
const totalSeconds = (performance.now() - started) / 1000;

// A load average above half the cores at start means other work shared the machine: say so.
const busy = machine.loadAvg1m > machine.cores / 2;
const conditions =
  process.env.BENCH_CONDITIONS ??
  `${busy ? 'shared machine, other work running' : 'quiet machine'}: load average ${machine.loadAvg1m} at start on ${machine.cores} cores` +
    (SCALE !== 1 ? `; BENCH_SCALE=${SCALE}` : '');
const paths = writeReport({ machine, conditions, totalSeconds, scenarios: entries });
console.log(`\ntotal ${totalSeconds.toFixed(0)} s; wrote ${paths.join(', ')}`);
