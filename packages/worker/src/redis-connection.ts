// ioredis clients for workers: wait through Redis outages (maxRetriesPerRequest null), as BullMQ requires.
import { Redis } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Reconnect attempts every 50 ms, 100 ms… up to every 500 ms (ioredis' default grows to 2 s): a Redis back
 * from a restart is noticed within half a second, and an attempt against a down server costs next to nothing.
 */
export const reconnectDelay = (attempt: number): number => Math.min(attempt * 50, 500);

export function workerConnection(url = process.env.REDIS_URL ?? DEFAULT_REDIS_URL): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: reconnectDelay,
  });
}

/** BullMQ needs `noeviction`: an evicted job key is a lost job. Warn, do not refuse (managed Redis may hide CONFIG). */
export async function evictionPolicyWarning(redis: Redis): Promise<string | undefined> {
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
