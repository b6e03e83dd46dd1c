// Redis work per job. `INFO commandstats` counts commands run inside Lua as well, so it gives "all
// commands"; MONITOR marks those with `[db lua]`, so counting its other lines gives "calls from clients"
// (round trips). MONITOR slows Redis down, so only the redis-cost scenario turns it on.
import type { Redis } from 'ioredis';

/** Calls per command name (lower case). */
export type CommandCounts = Record<string, number>;

/** Commands the bench itself sends to take its measurements; never counted. */
const OWN = new Set(['info', 'monitor', 'config', 'client']);

export async function commandStats(redis: Redis): Promise<CommandCounts> {
  const text = await redis.info('commandstats');
  const counts: CommandCounts = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts[m[1]!] = Number(m[2]);
  return counts;
}

/** Redis server CPU (user + sys) used so far, in µs: deltas give Redis CPU per job. */
export async function cpuMicros(redis: Redis): Promise<number> {
  const text = await redis.info('cpu');
  const read = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0);
  return Math.round((read('used_cpu_user') + read('used_cpu_sys')) * 1e6);
}

export function diff(after: CommandCounts, before: CommandCounts): CommandCounts {
  const out: CommandCounts = {};
  for (const [name, n] of Object.entries(after)) {
    const d = n - (before[name] ?? 0);
    if (d > 0 && !OWN.has(name.split('|')[0]!)) out[name] = d;
  }
  return out;
}

export function total(counts: CommandCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Top-level totals only: the `evalsha:<name>` breakdown entries would count calls twice. */
export function calls(counts: CommandCounts): number {
  return Object.entries(counts).reduce((n, [name, c]) => (name.includes(':') ? n : n + c), 0);
}

export function scripts(counts: CommandCounts): number {
  return (counts.evalsha ?? 0) + (counts.eval ?? 0);
}

export interface MonitorTap {
  /** Top-level commands seen since start, by name (the bench's own excluded). */
  stop(): Promise<CommandCounts>;
}

/**
 * Counts every command a client sent (not those run by scripts) until `stop()`. EVALSHA calls whose
 * sha is in `scriptNames` are counted as `evalsha:<name>` too (others as `evalsha:bullmq`), so each
 * script's round trips show.
 */
// `redis.monitor()` opens its own connection (ioredis duplicates the client), closed by `stop()`.
export async function monitorClientCalls(
  redis: Redis,
  scriptNames: ReadonlyMap<string, string> = new Map(),
): Promise<MonitorTap> {
  const monitor = await redis.monitor();
  const counts: CommandCounts = {};
  const add = (name: string) => {
    counts[name] = (counts[name] ?? 0) + 1;
  };
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source.endsWith('lua')) return;
    const name = String(args[0]).toLowerCase();
    if (OWN.has(name)) return;
    add(name);
    if (name === 'evalsha') add(`evalsha:${scriptNames.get(String(args[1])) ?? 'bullmq'}`);
  });
  return {
    async stop() {
      // MONITOR lines trail the commands they echo by a moment.
      await new Promise((resolve) => setTimeout(resolve, 50));
      monitor.disconnect();
      return counts;
    },
  };
}
