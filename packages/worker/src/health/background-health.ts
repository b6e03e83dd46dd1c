// general_settings.background_health_checks: every worker wakes at each interval boundary and tries to claim
// that round in Redis; exactly one process of the fleet runs it. With enable_health_check_routing, every
// worker keeps the set of deployments whose last check failed (read once a second) for the router.
import type { HealthSettings } from '@switchyard/core';
import type { HealthStore } from '@switchyard/redis-state';
import type { Logger } from 'pino';

export interface BackgroundHealth {
  /** Deployment ids whose last (recent) check failed; empty unless health routing is on. */
  unhealthy(): ReadonlySet<string>;
  close(): void;
}

export function startBackgroundHealth(opts: {
  settings: HealthSettings;
  store: HealthStore;
  runRound: (round: number) => Promise<unknown>;
  logger: Logger;
  /** How often the unhealthy set is re-read. @defaultValue 1000 */
  readMs?: number;
}): BackgroundHealth {
  const { settings, store, logger } = opts;
  const interval = settings.intervalMs;
  let unhealthy: ReadonlySet<string> = new Set();
  const timers: NodeJS.Timeout[] = [];
  let closed = false;

  const scheduleRound = () => {
    if (closed) return;
    const now = Date.now();
    const round = Math.floor(now / interval) + 1;
    // A little jitter so the fleet's claims do not land in the same millisecond; one of them wins anyway.
    const t = setTimeout(() => void runRound(round), round * interval - now + Math.random() * 50);
    t.unref();
    timers[0] = t;
  };
  const runRound = async (round: number) => {
    try {
      if (await store.claimRound(round, interval)) await opts.runRound(round);
    } catch (err) {
      logger.warn({ err: (err as Error).message, round }, 'background health round failed');
    }
    scheduleRound();
  };
  if (settings.background) scheduleRound();

  if (settings.routing) {
    const read = async () => {
      try {
        const now = Date.now();
        const ids = new Set<string>();
        // A result older than three rounds is stale (checks stopped): it no longer steers traffic.
        for (const [id, r] of await store.read()) {
          if (!r.healthy && now - r.checkedAtMs <= 3 * interval) ids.add(id);
        }
        unhealthy = ids;
      } catch {
        // Keep the last set while Redis is away.
      }
    };
    void read();
    const t = setInterval(() => void read(), opts.readMs ?? 1_000);
    t.unref();
    timers[1] = t;
  }

  return {
    unhealthy: () => unhealthy,
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
    },
  };
}
