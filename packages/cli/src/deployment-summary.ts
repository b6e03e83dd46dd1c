// Per-deployment statistics from results' routing.attempts (demo and benchmarks print them as a table).
import type { RoutingInfo } from '@switchyard/client';

export interface DeploymentRow {
  deploymentId: string;
  requests: number;
  ok: number;
  failed: number;
  p50: number;
  p95: number;
  cost: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function summarise(routings: readonly RoutingInfo[]): DeploymentRow[] {
  const rows = new Map<
    string,
    { requests: number; ok: number; failed: number; lat: number[]; cost: number }
  >();
  const row = (id: string) => {
    const existing = rows.get(id);
    if (existing) return existing;
    const fresh = { requests: 0, ok: 0, failed: 0, lat: [] as number[], cost: 0 };
    rows.set(id, fresh);
    return fresh;
  };
  for (const routing of routings) {
    for (const a of routing.attempts) {
      const r = row(a.deploymentId);
      r.requests++;
      r.lat.push(a.latencyMs);
      if (a.error) r.failed++;
      else r.ok++;
    }
    row(routing.deploymentId).cost += routing.cost;
  }
  return [...rows]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([deploymentId, r]) => {
      const sorted = r.lat.sort((a, b) => a - b);
      return {
        deploymentId,
        requests: r.requests,
        ok: r.ok,
        failed: r.failed,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        cost: r.cost,
      };
    });
}
