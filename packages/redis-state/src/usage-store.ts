// Usage totals in Redis: one hash per (bucket size, bucket start, dimension), fields `<metric>:<id>`.
// Workers add their in-memory totals with one pipelined round trip per flush; readers sum the buckets.
import {
  addTotals,
  bucketStarts,
  type ErrorType,
  emptyTotals,
  granularityFor,
  LATENCY_BOUNDS_MS,
  USAGE_GRANULARITIES,
  type UsageDimension,
  type UsageTotals,
} from '@switchyard/core';
import { isCluster } from './connect.ts';
import type { RedisClient } from './script-loader.ts';

/** Totals to add, per dimension and id, for calls settled at about `atMs`. */
export type UsageDeltas = Map<UsageDimension, Map<string, UsageTotals>>;

// Every usage key shares one hash tag: a flush's pipeline and reset's DEL stay on one Redis Cluster node
// (a few small writes a second per worker, so one slot is no hot spot). The keys still start with the
// queue's namespace, like every other key of ours.
function usageTag(prefix: string): string {
  return `${prefix}:{${prefix}:usage}`;
}

export function usageKey(prefix: string, granularity: string, startMs: number, dim: UsageDimension): string {
  return `${usageTag(prefix)}:${granularity}:${startMs}:${dim}`;
}

export class UsageStore {
  readonly #client: RedisClient;
  readonly #prefix: string;

  constructor(client: RedisClient, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  /** Adds the deltas to the minute, hour and day buckets of `atMs`, in one round trip. */
  async add(deltas: UsageDeltas, atMs: number = Date.now()): Promise<void> {
    const pipe = this.#client.pipeline();
    let commands = 0;
    for (const g of USAGE_GRANULARITIES) {
      const start = Math.floor(atMs / g.ms) * g.ms;
      for (const [dim, byId] of deltas) {
        if (byId.size === 0) continue;
        const key = usageKey(this.#prefix, g.name, start, dim);
        for (const [id, t] of byId) {
          for (const [field, value] of fieldsOf(t)) {
            if (value === 0) continue;
            if (Number.isInteger(value)) pipe.hincrby(key, `${field}:${id}`, value);
            else pipe.hincrbyfloat(key, `${field}:${id}`, value);
            commands++;
          }
        }
        pipe.pexpire(key, g.ttlMs);
      }
    }
    if (commands > 0) await pipe.exec();
  }

  /** Totals per id of one dimension over the last `sinceMs` (rounded down to the bucket size used). */
  async read(
    dim: UsageDimension,
    sinceMs: number,
    nowMs: number = Date.now(),
  ): Promise<Map<string, UsageTotals>> {
    const g = granularityFor(sinceMs);
    const pipe = this.#client.pipeline();
    for (const start of bucketStarts(nowMs, sinceMs, g))
      pipe.hgetall(usageKey(this.#prefix, g.name, start, dim));
    const replies = (await pipe.exec()) ?? [];
    const out = new Map<string, UsageTotals>();
    for (const [err, hash] of replies) {
      if (err) throw err;
      const bucket = new Map<string, UsageTotals>();
      for (const [field, value] of Object.entries(hash as Record<string, string>)) {
        const colon = field.indexOf(':');
        const id = field.slice(colon + 1);
        const t = bucket.get(id) ?? emptyTotals();
        bucket.set(id, t);
        apply(t, field.slice(0, colon), Number(value));
      }
      for (const [id, t] of bucket) {
        const sum = out.get(id);
        if (sum) addTotals(sum, t);
        else out.set(id, t);
      }
    }
    return out;
  }

  /** Forgets every total (LiteLLM's reset_cost, extended to every counter kept here). */
  async reset(): Promise<number> {
    let removed = 0;
    // SCAN walks one server: on a cluster, every master (the keys' slot lives on one of them).
    const servers = isCluster(this.#client) ? this.#client.nodes('master') : [this.#client];
    for (const server of servers) {
      let cursor = '0';
      do {
        const [next, keys] = await server.scan(cursor, 'MATCH', `${usageTag(this.#prefix)}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) removed += await this.#client.del(...keys);
      } while (cursor !== '0');
    }
    return removed;
  }
}

/** Metric fields: req, ok, pt, ct, cost, f.<ErrorType>, h.<bucket>. */
function fieldsOf(t: UsageTotals): [string, number][] {
  const out: [string, number][] = [
    ['req', t.requests],
    ['ok', t.successes],
    ['pt', t.promptTokens],
    ['ct', t.completionTokens],
    ['cost', t.cost],
  ];
  for (const [type, n] of Object.entries(t.failures)) out.push([`f.${type}`, n]);
  t.latency.forEach((n, i) => {
    out.push([`h.${i}`, n]);
  });
  return out;
}

function apply(t: UsageTotals, metric: string, value: number): void {
  if (metric === 'req') t.requests += value;
  else if (metric === 'ok') t.successes += value;
  else if (metric === 'pt') t.promptTokens += value;
  else if (metric === 'ct') t.completionTokens += value;
  else if (metric === 'cost') t.cost += value;
  else if (metric.startsWith('f.')) {
    const type = metric.slice(2) as ErrorType;
    t.failures[type] = (t.failures[type] ?? 0) + value;
  } else if (metric.startsWith('h.')) {
    const i = Number(metric.slice(2));
    if (i >= 0 && i <= LATENCY_BOUNDS_MS.length) t.latency[i]! += value;
  }
}
