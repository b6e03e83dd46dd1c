// What the `/ui` dashboard shows, from one fleet snapshot (routing state in Redis), the usage totals the
// workers keep in Redis (latency, success rate, cost, traffic) and the newest outcome events (fallback rate
// and failures, when the config turns the event stream on). Pure: the gateway reads, this sums.
import type { OutcomeEvent, UsageRow } from '@switchyard/core';
import type { FleetSnapshot, QueueState } from './fleet-reader.ts';

/** `cooling` wins over `unhealthy` (its last health check failed), which wins over `failing`. */
export type DeploymentHealth = 'healthy' | 'failing' | 'unhealthy' | 'cooling';

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
  /** The last health check, when one ran: its time, and the classified error when it failed. */
  healthCheck: { healthy: boolean; checkedAtMs: number; error: string | null } | null;
  rpm: { used: number; limit: number | null };
  tpm: { used: number; limit: number | null };
  inFlight: { used: number; limit: number | null };
  /** Over the usage window: p50 as its latency bucket's upper bound (null without calls). */
  latencyP50Ms: number | null;
  successRate: number | null;
  costUsd: number;
  /** Provider calls in the usage window. */
  calls: number;
}

export interface DashboardGroup {
  group: string;
  deployments: number;
  /** Share of the window's successful calls this group made (0..1). */
  trafficShare: number | null;
  /** Share of the recent jobs asked of this group that fell back to another (0..1); needs events. */
  fallbackRate: number | null;
  costUsd: number;
}

/** The workers' usage totals over the window (getUsageStats rows), per deployment id and per model group. */
export interface DashboardUsage {
  windowMs: number;
  deployments: readonly UsageRow[];
  groups: readonly UsageRow[];
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
  /** The usage window the latency, success, cost and traffic figures cover. */
  usageWindowMs: number;
  /** Whether the event stream is on (fallback rate, failures), and how many of its newest events were read. */
  events: { on: boolean; count: number };
}

/** Failures listed, newest first. */
const FAILURES_SHOWN = 20;

export function dashboardState(
  snapshot: FleetSnapshot,
  usage: DashboardUsage,
  events: readonly OutcomeEvent[] | undefined,
): DashboardState {
  const recent = events ?? [];
  // Per requested group: jobs that ended (success or failure) and fallbacks out of it.
  const asked = new Map<string, { ended: number; fellBack: number }>();
  const of = (group: string) => {
    const found = asked.get(group);
    if (found) return found;
    const made = { ended: 0, fellBack: 0 };
    asked.set(group, made);
    return made;
  };
  for (const { type, payload: p } of recent) {
    if (type === 'success' || type === 'failure') of(p.requested_model).ended++;
    if (type === 'fallback' && p.model_group === p.requested_model) of(p.requested_model).fellBack++;
  }

  const byDeployment = new Map(usage.deployments.map((r) => [r.id, r]));
  const byGroup = new Map(usage.groups.map((r) => [r.id, r]));
  const now = snapshot.atMs;
  const deployments = snapshot.deployments.map((d): DashboardDeployment => {
    const s = d.status;
    const u = byDeployment.get(d.id);
    const cooling = s.cooldownUntilMs > now;
    return {
      id: d.id,
      group: d.group,
      provider: d.provider,
      model: d.model,
      apiBase: d.apiBase,
      state: cooling
        ? 'cooling'
        : d.health?.healthy === false
          ? 'unhealthy'
          : s.fails > 0
            ? 'failing'
            : 'healthy',
      cooldownSecondsLeft: cooling ? Math.ceil((s.cooldownUntilMs - now) / 1000) : 0,
      failsInWindow: s.fails,
      healthCheck: d.health
        ? { healthy: d.health.healthy, checkedAtMs: d.health.checkedAtMs, error: d.health.error ?? null }
        : null,
      rpm: { used: s.rpmUsed, limit: d.rpm ?? null },
      tpm: { used: s.tpmUsed, limit: d.tpm ?? null },
      inFlight: { used: s.inflight, limit: d.maxParallelRequests ?? null },
      latencyP50Ms: u?.latencyP50Ms ?? null,
      successRate: u && u.requests > 0 ? u.successes / u.requests : null,
      costUsd: u?.cost ?? 0,
      calls: u?.requests ?? 0,
    };
  });
  const answered = usage.groups.reduce((n, r) => n + r.successes, 0);
  const groupNames = [...new Set(snapshot.deployments.map((d) => d.group))];
  const groups = groupNames.map((name): DashboardGroup => {
    const u = byGroup.get(name);
    const a = asked.get(name);
    return {
      group: name,
      deployments: snapshot.deployments.filter((d) => d.group === name).length,
      trafficShare: answered > 0 ? (u?.successes ?? 0) / answered : null,
      fallbackRate: a && a.ended > 0 ? Math.min(1, a.fellBack / a.ended) : null,
      costUsd: u?.cost ?? 0,
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
    usageWindowMs: usage.windowMs,
    events: { on: events !== undefined, count: recent.length },
  };
}
