// LiteLLM's response cache, in the workers' Redis: identical requests to the same model group share an
// answer for `ttl` seconds. The key hashes the endpoint, the group, the tags and the request body (keys
// sorted), as LiteLLM's cache key covers the group and every LLM parameter; keys live under the queue's
// namespace so two installations sharing a Redis share no answers.
import { createHash } from 'node:crypto';
import type { RedisClient } from '@switchyard/redis-state';

export interface CachedResponse {
  body: Record<string, unknown>;
  modelGroup: string;
  deploymentId: string;
  provider: string;
}

export interface CacheKeyInput {
  endpoint: string;
  group: string;
  body: Record<string, unknown>;
  tags?: readonly string[] | undefined;
  /** The request's own namespace (`cache: {namespace}`). */
  namespace?: string | undefined;
}

export interface ResponseCacheOptions {
  /** Key prefix: the installation's namespace (`stateNamespace`). */
  prefix: string;
  /** The config's cache namespace (`cache_params.namespace`). */
  namespace?: string | undefined;
  /** Entries larger than this (JSON bytes) are not stored. @defaultValue 1048576 */
  maxEntryBytes?: number;
}

/** Where entries live: the workers' Redis (shared by all), or one process's memory (`type: local`). */
export interface CacheStore {
  get(key: string): Promise<string | null>;
  /** Stores `value` for `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<unknown>;
}

export function redisCacheStore(redis: RedisClient): CacheStore {
  return {
    get: (key) => redis.get(key),
    set: (key, value, ttlMs) => redis.set(key, value, 'PX', ttlMs),
  };
}

export class ResponseCache {
  readonly #store: CacheStore;
  readonly #prefix: string;
  readonly #maxEntryBytes: number;

  /** A Redis client is used as a shared store. */
  constructor(store: RedisClient | CacheStore, opts: ResponseCacheOptions) {
    this.#store = isCacheStore(store) ? store : redisCacheStore(store);
    this.#prefix = [opts.prefix, 'cache', opts.namespace].filter(Boolean).join(':');
    this.#maxEntryBytes = opts.maxEntryBytes ?? 1_048_576;
  }

  key({ endpoint, group, body, tags, namespace }: CacheKeyInput): string {
    const sortedTags = tags?.length ? [...tags].sort() : undefined;
    const digest = createHash('sha256')
      .update(stableJson({ endpoint, group, tags: sortedTags, body }))
      .digest('hex');
    return namespace ? `${this.#prefix}:${namespace}:${digest}` : `${this.#prefix}:${digest}`;
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    const raw = await this.#store.get(key);
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as CachedResponse;
    } catch {
      return undefined; // A corrupt entry is a miss, never a failed job.
    }
  }

  /** Stores an answer unless it is larger than the cap; resolves false when it was skipped. */
  async set(key: string, value: CachedResponse, ttlSec: number): Promise<boolean> {
    const json = JSON.stringify(value);
    if (Buffer.byteLength(json) > this.#maxEntryBytes) return false;
    await this.#store.set(key, json, Math.max(1, Math.round(ttlSec * 1000)));
    return true;
  }
}

function isCacheStore(store: RedisClient | CacheStore): store is CacheStore {
  return !('pipeline' in store);
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
