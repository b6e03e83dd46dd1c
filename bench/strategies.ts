// Micro-benchmark: µs per orderCandidates call (tags + tiers + rank + cooldown partition) per strategy and n.
// Run: node bench/strategies.ts. Prints numbers only; LiteLLM #21270 measured 0.58 ms at n=100, 51 ms at n=1,000.
import {
  createStrategy,
  type Deployment,
  type DeploymentState,
  orderCandidates,
  type RouteContext,
  type RoutingStrategyName,
  seededRandom,
} from '@switchyard/core';

const NAMES: RoutingStrategyName[] = [
  'simple-shuffle',
  'least-busy',
  'usage-based-routing-v2',
  'latency-based-routing',
  'cost-based-routing',
];
const SIZES = [2, 10, 100, 1000];
const BUDGET_MS = 300;
const NOW = Date.now();

function fixture(n: number): { deployments: Deployment[]; states: Map<string, DeploymentState> } {
  const random = seededRandom(n);
  const deployments: Deployment[] = [];
  const states = new Map<string, DeploymentState>();
  for (let i = 0; i < n; i++) {
    const id = `deployment-${i}`;
    deployments.push({
      id,
      modelGroup: 'gpt',
      provider: 'openai',
      model: i % 2 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
      litellmModel: 'openai/gpt-4o',
      apiBase: 'https://api.openai.com/v1',
      weight: 1 + (i % 4),
      rpm: 1000,
      tpm: 100_000,
      tags: [],
      info: {},
      extraParams: {},
    });
    states.set(id, {
      id,
      inflight: Math.floor(random() * 10),
      rpmUsed: Math.floor(random() * 1000),
      tpmUsed: Math.floor(random() * 100_000),
      latencyMs: 5 + random() * 50,
      latencyAtMs: NOW - 1000,
      cooldownUntilMs: i % 10 === 9 ? NOW + 60_000 : 0,
    });
  }
  return { deployments, states };
}

function measure(name: RoutingStrategyName, n: number): number {
  const { deployments, states } = fixture(n);
  const strategy = createStrategy(name);
  const ctx: RouteContext = {
    estimatedTokens: 500,
    nowMs: NOW,
    random: seededRandom(1),
    args: { lowest_latency_buffer: 0.2 },
  };
  let sink = 0;
  for (let i = 0; i < 200; i++) sink += orderCandidates(deployments, states, strategy, ctx).length; // warm-up
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < BUDGET_MS) {
    for (let i = 0; i < 50; i++) sink += orderCandidates(deployments, states, strategy, ctx).length;
    calls += 50;
    elapsed = performance.now() - start;
  }
  if (sink === 0) throw new Error('unreachable');
  return (elapsed * 1000) / calls;
}

const rows: string[][] = [
  ['strategy', ...SIZES.map((n) => `n=${n} µs/call`), ...SIZES.map((n) => `n=${n} µs/cand`)],
];
for (const name of NAMES) {
  const perCall = SIZES.map((n) => measure(name, n));
  rows.push([
    name,
    ...perCall.map((us) => us.toFixed(2)),
    ...perCall.map((us, i) => (us / SIZES[i]!).toFixed(3)),
  ]);
}
const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
for (const row of rows) console.log(row.map((cell, col) => cell.padStart(widths[col]!)).join('  '));
