// What the `/ui` dashboard shows, from one fleet snapshot (routing state in Redis) and the most recent
// outcome events (the event stream, when the config turns it on). Pure: the gateway reads, this sums.
import type { OutcomeEvent } from '@switchyard/core';
import type { FleetSnapshot, QueueState } from './fleet-reader.ts';

export type DeploymentHealth = 'healthy' | 'failing' | 'cooling';

export interface DashboardDeployment {
  id: string;
  group: string;
  provider: string;
  model: string;
  apiBase: string;
  /** `failing`: failures counted in the current window, not (yet) cooling. */
  state: DeploymentHealth;
  cooldownSecondsLeft: number;
  failsInWindow: number;
  rpm: { used: number; limit: number | null };
  tpm: { used: number; limit: number | null };
  inFlight: { used: number; limit: number | null };
  /** From the recent events; null without events or without a success among them. */
  latencyP50Ms: number | null;
  successRate: number | null;
  costUsd: number;
  /** Recent calls seen in the events (successes and failed attempts). */
  calls: number;
}

export interface DashboardGroup {
  group: string;
  deployments: number;
  /** Share of the recent answered jobs this group answered (0..1). */
  trafficShare: number | null;
  /** Share of the recent jobs asked of this group that fell back to another (0..1). */
  fallbackRate: number | null;
  costUsd: number;
}

export interface DashboardFailure {
  atMs: number;
  /** `failure` (the job failed), `fallback` or `cooldown` (an attempt failed). */
  type: string;
  jobId: string;
  group: string | null;
  deploymentId: string | null;
  errorClass: string | null;
  status: string | null;
  message: string | null;
}

export interface DashboardState {
  atMs: number;
  queue: { name: string; counts: Record<QueueState, number> };
  modelListVersion: number;
  deployments: DashboardDeployment[];
  groups: DashboardGroup[];
  recentFailures: DashboardFailure[];
  /** Whether the figures from events are available, and over how many events they are computed. */
  events: { on: boolean; count: number };
}

/** Failures listed, newest first. */
const FAILURES_SHOWN = 20;

export function dashboardState(
  snapshot: FleetSnapshot,
  events: readonly OutcomeEvent[] | undefined,
): DashboardState {
  const recent = events ?? [];
  const perDeployment = new Map<string, { latencies: number[]; ok: number; failed: number; cost: number }>();
  const perGroup = new Map<string, { answered: number; asked: number; fellBack: number; cost: number }>();
  const at = <K, V>(map: Map<K, V>, key: K, init: () => V): V => {
    const found = map.get(key);
    if (found !== undefined) return found;
    const made = init();
    map.set(key, made);
    return made;
  };
  const deployment = (id: string) =>
    at(perDeployment, id, () => ({ latencies: [] as number[], ok: 0, failed: 0, cost: 0 }));
  const group = (name: string) => at(perGroup, name, () => ({ answered: 0, asked: 0, fellBack: 0, cost: 0 }));
  // A failed attempt can be two events (cooldown + fallback, or cooldown + failure): count it once.
  const failedAttempts = new Set<string>();
  let answered = 0;
  for (const { type, payload: p } of recent) {
    const attempt = `${p.trace_id}:${p.hidden_params.attempt}`;
    if (type === 'success') {
      answered++;
      if (p.model_group) {
        const g = group(p.model_group);
        g.answered++;
        g.cost += p.response_cost;
      }
      group(p.requested_model).asked++;
      if (p.model_id && !p.cache_hit) {
        const d = deployment(p.model_id);
        d.ok++;
        d.latencies.push(p.response_time * 1000);
        d.cost += p.response_cost;
      }
      continue;
    }
    if (type === 'failure') group(p.requested_model).asked++;
    if (type === 'fallback' && p.model_group === p.requested_model) group(p.requested_model).fellBack++;
    if (p.model_id && !failedAttempts.has(attempt)) {
      failedAttempts.add(attempt);
      deployment(p.model_id).failed++;
    }
  }

  const now = snapshot.atMs;
  const deployments = snapshot.deployments.map((d): DashboardDeployment => {
    const s = d.status;
    const seen = perDeployment.get(d.id);
    const cooling = s.cooldownUntilMs > now;
    const calls = seen ? seen.ok + seen.failed : 0;
    return {
      id: d.id,
      group: d.group,
      provider: d.provider,
      model: d.model,
      apiBase: d.apiBase,
      state: cooling ? 'cooling' : s.fails > 0 ? 'failing' : 'healthy',
      cooldownSecondsLeft: cooling ? Math.ceil((s.cooldownUntilMs - now) / 1000) : 0,
      failsInWindow: s.fails,
      rpm: { used: s.rpmUsed, limit: d.rpm ?? null },
      tpm: { used: s.tpmUsed, limit: d.tpm ?? null },
      inFlight: { used: s.inflight, limit: d.maxParallelRequests ?? null },
      latencyP50Ms: seen && seen.latencies.length > 0 ? median(seen.latencies) : null,
      successRate: calls > 0 ? seen!.ok / calls : null,
      costUsd: seen?.cost ?? 0,
      calls,
    };
  });
  const groupNames = [...new Set(snapshot.deployments.map((d) => d.group))];
  const groups = groupNames.map((name): DashboardGroup => {
    const g = perGroup.get(name);
    return {
      group: name,
      deployments: snapshot.deployments.filter((d) => d.group === name).length,
      trafficShare: answered > 0 ? (g?.answered ?? 0) / answered : null,
      fallbackRate: g && g.asked > 0 ? g.fellBack / g.asked : null,
      costUsd: g?.cost ?? 0,
    };
  });
  const recentFailures = recent
    .filter((e) => e.type !== 'success')
    .slice(0, FAILURES_SHOWN)
    .map(({ type, payload: p }) => ({
      atMs: Math.round(p.endTime * 1000),
      type,
      jobId: p.trace_id,
      group: p.model_group,
      deploymentId: p.model_id,
      errorClass: p.error_information?.error_class ?? null,
      status: p.error_information?.error_code ?? null,
      message: p.error_information?.error_message ?? p.error_str,
    }));
  return {
    atMs: snapshot.atMs,
    queue: snapshot.queue,
    modelListVersion: snapshot.modelListVersion,
    deployments,
    groups,
    recentFailures,
    events: { on: events !== undefined, count: recent.length },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return Math.round(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
}
