// `cache_kwargs.type: local`: LiteLLM's in-memory cache, kept in this worker process only — with several
// worker processes each has its own, so an answer cached by one is a miss on the others.
import { LRUCache } from 'lru-cache';
import type { CacheStore } from './response-cache.ts';

export interface MemoryCacheStoreOptions {
  /** Bytes of cached JSON kept before the least recently used entries go. @defaultValue 268435456 */
  maxBytes?: number;
}

export function memoryCacheStore(opts: MemoryCacheStoreOptions = {}): CacheStore {
  const entries = new LRUCache<string, string>({
    maxSize: opts.maxBytes ?? 256 * 1024 * 1024,
    // JSON text, two bytes a UTF-16 unit: a bound, not an exact count.
    sizeCalculation: (value) => Math.max(1, value.length * 2),
  });
  return {
    get: async (key) => entries.get(key) ?? null,
    set: async (key, value, ttlMs) => entries.set(key, value, { ttl: ttlMs }),
  };
}
