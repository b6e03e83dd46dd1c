// `switchyard status`: what every worker sees right now — usage, in-flight, latency, cooldowns per deployment
// of the fleet's model list in Redis (runtime changes included; the file's list before any worker seeded it).
import { describedDeployments, groupsOf, stateNamespace } from '@switchyard/core';
import {
  connectRedis,
  HealthStore,
  ModelListStore,
  RoutingState,
  type StoredHealth,
} from '@switchyard/redis-state';
import Table from 'cli-table3';
import { loadConfigOrExit } from '../load-config.ts';
import { redisTarget } from '../redis-target.ts';

export async function runStatus(opts: { config: string }): Promise<void> {
  const config = loadConfigOrExit(opts.config);
  const redis = connectRedis(redisTarget(config).url, 'producer');
  try {
    const namespace = stateNamespace(config.switchyard);
    const state = new RoutingState(redis, { prefix: namespace });
    const stored = await new ModelListStore(redis, namespace).list();
    const groups = stored
      ? groupsOf({ ...config, deployments: describedDeployments(stored.entries) })
      : groupsOf(config);
    const table = new Table({
      head: [
        'group',
        'deployment',
        'in flight',
        'rpm used/limit',
        'tpm used/limit',
        'latency ms',
        'cooldown',
        'last health check',
      ],
    });
    const now = Date.now();
    const health = await new HealthStore(redis, namespace).read();
    for (const [group, deployments] of groups) {
      const states = await state.snapshot(
        group,
        deployments.map((d) => d.id),
      );
      for (const d of deployments) {
        const s = states.find((x) => x.id === d.id);
        const cooling =
          s && s.cooldownUntilMs > now ? `${((s.cooldownUntilMs - now) / 1000).toFixed(1)} s` : '-';
        table.push([
          group,
          d.id,
          s?.inflight ?? 0,
          `${s?.rpmUsed ?? 0}/${d.rpm ?? '∞'}`,
          `${s?.tpmUsed ?? 0}/${d.tpm ?? '∞'}`,
          s?.latencyMs === undefined ? '-' : s.latencyMs.toFixed(1),
          cooling,
          healthCell(health.get(d.id), now),
        ]);
      }
    }
    process.stdout.write(`${table.toString()}\n`);
  } finally {
    redis.disconnect();
  }
}

function healthCell(h: StoredHealth | undefined, now: number): string {
  if (!h) return '-';
  const ago = `${Math.round((now - h.checkedAtMs) / 1000)} s ago`;
  return h.healthy ? `healthy (${ago})` : `UNHEALTHY (${ago}): ${(h.error ?? '').slice(0, 60)}`;
}
