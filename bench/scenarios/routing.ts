// Routing decisions per second: RoutingState.reserve + record (the two round trips every attempt makes)
// driven straight against Redis, with no queue or HTTP around them, plus the strategy micro-benchmark.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RoutingState } from '@switchyard/redis-state';
import { startRedis } from '@switchyard/testkit';
import { build } from 'hdr-histogram-js';
import { commandStats, diff, scripts, total } from '../lib/commandstats.ts';
import { SCALE } from '../lib/scale.ts';
import { check, fmt, type Scenario } from '../lib/scenario.ts';

const CANDIDATES = 6;
const CONCURRENCY = 50;
const STRATEGIES = join(dirname(fileURLToPath(import.meta.url)), '../strategies.ts');

export const routing: Scenario = {
  name: 'routing',
  description:
    `Routing decisions/s: RoutingState.reserve (${CANDIDATES} rpm/tpm/max_parallel-limited candidates) + record, ` +
    `${CONCURRENCY} in flight on one connection, straight against Redis; plus bench/strategies.ts (orderCandidates µs/call)`,
  async run() {
    const redis = await startRedis();
    const client = redis.client();
    let decisions = 0;
    let elapsedMs = 0;
    let perDecision = { all: 0, scripts: 0 };
    const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
    try {
      const state = new RoutingState(client);
      const candidates = Array.from({ length: CANDIDATES }, (_, i) => ({
        id: `d${i}`,
        rpm: 10_000_000,
        tpm: 10_000_000_000,
        maxParallel: 1_000,
      }));
      const decide = async (n: number) => {
        const t0 = performance.now();
        const reservationId = `r${n}`;
        const pick = await state.reserve({
          group: 'bench',
          candidates,
          estimatedTokens: 300,
          reservationId,
          leaseMs: 60_000,
        });
        if (!pick.ok)
          throw new Error(`reserve refused (${pick.reason}); limits are meant to be out of reach`);
        await state.record({
          group: 'bench',
          deploymentId: pick.deploymentId,
          reservationId,
          ok: true,
          latencySample: 5,
          totalTokens: 280,
        });
        histogram.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
      };
      const runFor = async (ms: number) => {
        const until = performance.now() + ms;
        let count = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (performance.now() < until) await decide(count++);
          }),
        );
        return count;
      };
      await runFor(500); // warm-up: script load, JIT
      histogram.reset();
      const before = await commandStats(client);
      const t0 = performance.now();
      decisions = await runFor(4000 * SCALE);
      elapsedMs = performance.now() - t0;
      const d = diff(await commandStats(client), before);
      perDecision = { all: total(d) / decisions, scripts: scripts(d) / decisions };
    } finally {
      client.disconnect();
      await redis.stop();
    }
    const perSec = Math.round((decisions / elapsedMs) * 1000);
    const p50 = histogram.getValueAtPercentile(50) / 1000;
    const p99 = histogram.getValueAtPercentile(99) / 1000;
    histogram.destroy();
    const strategies = await strategyHeadline();
    return {
      lines: [
        `routing decisions/s (reserve + record, ${CANDIDATES} candidates, ${CONCURRENCY} in flight): ${perSec}`,
        `µs per decision (wall, amortised): ${fmt(1e6 / perSec, 1)}; one decision's latency p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms`,
        `Redis per decision: ${fmt(perDecision.scripts)} EVALSHA round trips, ${fmt(perDecision.all, 1)} commands in all`,
        `strategies (orderCandidates, µs/call): ${strategies.headline}`,
      ],
      table: {
        header: ['measure', 'value'],
        rows: [
          ['decisions/s (reserve + record)', perSec],
          ['µs per decision (amortised)', fmt(1e6 / perSec, 1)],
          ['decision latency p50 / p99 ms', `${fmt(p50)} / ${fmt(p99)}`],
          ['EVALSHA round trips per decision', fmt(perDecision.scripts)],
          ['Redis commands per decision (incl. inside Lua)', fmt(perDecision.all, 1)],
          ['orderCandidates µs/call', strategies.headline],
        ],
      },
      checks: [
        check(
          'routing: round trips per decision (reserve + record)',
          Number(fmt(perDecision.scripts)),
          '<=',
          2,
        ),
      ],
      data: {
        candidates: CANDIDATES,
        concurrency: CONCURRENCY,
        decisions,
        elapsedMs: Math.round(elapsedMs),
        decisionsPerSec: perSec,
        usPerDecision: 1e6 / perSec,
        p50Ms: p50,
        p99Ms: p99,
        perDecision,
        strategies: strategies.table,
      },
      details: `orderCandidates per strategy (bench/strategies.ts):\n\n\`\`\`\n${strategies.table}\n\`\`\``,
    };
  },
};

/** Runs bench/strategies.ts as it is and condenses its table to one line: the range across strategies. */
async function strategyHeadline(): Promise<{ headline: string; table: string }> {
  const { stdout } = await promisify(execFile)(process.execPath, [STRATEGIES]);
  const [head, ...rows] = stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
  const range = (n: number) => {
    const col = head!.indexOf(`n=${n} µs/call`);
    const values = rows.map((cells) => Number(cells[col]));
    return `n=${n}: ${Math.min(...values)}–${Math.max(...values)}`;
  };
  return {
    headline: `${range(10)}, ${range(100)}, ${range(1000)} µs/call across ${rows.length} strategies`,
    table: stdout.trimEnd(),
  };
}
