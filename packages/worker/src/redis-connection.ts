// ioredis clients for workers: wait through Redis outages (maxRetriesPerRequest null), as BullMQ requires.
import { redisAddressFromEnv } from '@switchyard/core';
import { connectRedis, DEFAULT_REDIS_URL, type RedisClient } from '@switchyard/redis-state';

export { DEFAULT_REDIS_URL, reconnectDelay } from '@switchyard/redis-state';

/** A server URL or a `redis+cluster://` address; default REDIS_CLUSTER_NODES / REDIS_URL, else localhost. */
export function workerConnection(address = redisAddressFromEnv() ?? DEFAULT_REDIS_URL): RedisClient {
  return connectRedis(address, 'worker');
}

/** BullMQ needs `noeviction`: an evicted job key is a lost job. Warn, do not refuse (managed Redis may hide CONFIG). */
export async function evictionPolicyWarning(redis: RedisClient): Promise<string | undefined> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1];
    if (policy && policy !== 'noeviction') {
      return `Redis maxmemory-policy is "${policy}"; set it to "noeviction" or jobs can be evicted`;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
