// The rule engine: which scripted behaviour (latency, fault) answers a request. Pure apart from its counters.
import type { Random } from './random.ts';
import type { FakeFault, FakeLatency, FakeRoute, FakeRule, FakeStreamShape } from './types.ts';

export interface ScriptInput {
  route: FakeRoute;
  model: string;
  apiKey: string | undefined;
}

export interface Decision {
  latencyMs: number;
  fault?: FakeFault;
  stream?: FakeStreamShape;
}

function matches(rule: FakeRule, input: ScriptInput): boolean {
  const m = rule.match;
  if (!m) return true;
  if (m.provider !== undefined && m.provider !== input.route.provider) return false;
  if (m.endpoint !== undefined && m.endpoint !== input.route.endpoint) return false;
  if (m.model !== undefined && m.model !== input.model) return false;
  if (m.deployment !== undefined && m.deployment !== input.route.deployment) return false;
  if (m.apiKey !== undefined && m.apiKey !== input.apiKey) return false;
  return true;
}

/** Whether the rule fires for its n-th (0-based) matching request. */
function fires(rule: FakeRule, n: number, random: Random): boolean {
  if (rule.failFirst !== undefined) return n < rule.failFirst;
  if (rule.probability !== undefined) return random() < rule.probability;
  if (rule.flapEvery !== undefined && rule.flapEvery > 0) return Math.floor(n / rule.flapEvery) % 2 === 1;
  return true;
}

export function drawLatency(latency: FakeLatency | undefined, random: Random): number {
  if (latency === undefined) return 0;
  if (typeof latency === 'number') return latency;
  const [min, max] = latency;
  return min + random() * (max - min);
}

export interface Script {
  decide(input: ScriptInput): Decision;
}

export function createScript(
  rules: FakeRule[],
  defaultLatency: FakeLatency | undefined,
  random: Random,
): Script {
  const seen = rules.map(() => 0);
  return {
    decide(input) {
      for (const [i, rule] of rules.entries()) {
        if (!matches(rule, input)) continue;
        const n = seen[i]!;
        seen[i] = n + 1;
        if (!fires(rule, n, random)) continue;
        const latencyMs = drawLatency(rule.latencyMs ?? defaultLatency, random);
        const decision: Decision = rule.fault ? { latencyMs, fault: rule.fault } : { latencyMs };
        if (rule.stream) decision.stream = rule.stream;
        return decision;
      }
      return { latencyMs: drawLatency(defaultLatency, random) };
    },
  };
}
