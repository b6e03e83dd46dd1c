// LiteLLM's response cache, in the workers' Redis: identical requests to the same model group share an
// answer for `ttl` seconds. The key hashes the endpoint, the group and the request body (keys sorted), as
// LiteLLM's cache key covers the group and every LLM parameter.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface CachedResponse {
  body: Record<string, unknown>;
  modelGroup: string;
  deploymentId: string;
  provider: string;
}

export class ResponseCache {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, opts: { namespace?: string; prefix?: string } = {}) {
    this.#redis = redis;
    this.#prefix = [opts.prefix ?? 'sy', 'cache', opts.namespace].filter(Boolean).join(':');
  }

  key(endpoint: string, group: string, body: Record<string, unknown>, namespace?: string): string {
    const digest = createHash('sha256').update(stableJson({ endpoint, group, body })).digest('hex');
    return namespace ? `${this.#prefix}:${namespace}:${digest}` : `${this.#prefix}:${digest}`;
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    const raw = await this.#redis.get(key);
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as CachedResponse;
    } catch {
      return undefined; // A corrupt entry is a miss, never a failed job.
    }
  }

  set(key: string, value: CachedResponse, ttlSec: number): Promise<unknown> {
    return this.#redis.set(key, JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlSec * 1000)));
  }
}

/** A job's result answered from the cache: no attempt, no cost, the deployment that first answered. */
export function cachedResult(hit: CachedResponse): Record<string, unknown> {
  return {
    ...hit.body,
    routing: {
      modelGroup: hit.modelGroup,
      deploymentId: hit.deploymentId,
      provider: hit.provider,
      latencyMs: 0,
      cost: 0,
      cacheHit: true,
      attempts: [],
    },
  };
}

/** JSON with object keys sorted at every level, so equal requests hash equally. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
