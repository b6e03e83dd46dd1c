// The one connection factory: every worker, producer, gateway, CLI and test client gets its ioredis client
// here, a `Redis` for a server address or a `Cluster` for a `redis+cluster://` one (core's redis-address.ts).
import { parseRedisAddress } from '@switchyard/core';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from './script-loader.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * `worker`: waits through outages (`maxRetriesPerRequest: null`, BullMQ's requirement for workers and
 * blocking readers). `producer`: fails fast while Redis is away instead of queueing commands forever.
 */
export type ConnectionRole = 'worker' | 'producer';

/**
 * Reconnect attempts every 50 ms, 100 ms… up to every 500 ms (ioredis' default grows to 2 s): a Redis back
 * from a restart is noticed within half a second, and an attempt against a down server costs next to nothing.
 */
export const reconnectDelay = (attempt: number): number => Math.min(attempt * 50, 500);

function roleOptions(role: ConnectionRole): RedisOptions {
  return role === 'worker'
    ? { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: reconnectDelay }
    : { maxRetriesPerRequest: 1, retryStrategy: reconnectDelay };
}

export function connectRedis(
  address: string = DEFAULT_REDIS_URL,
  role: ConnectionRole,
  extra: RedisOptions = {},
): RedisClient {
  const parsed = parseRedisAddress(address);
  const options = { ...roleOptions(role), ...extra };
  if (parsed.kind === 'server') return new Redis(parsed.url, options);
  const { retryStrategy, ...nodeOptions } = options;
  return new Cluster(parsed.nodes, {
    // Node connections do not reconnect on their own: the cluster refreshes its slot map and reconnects,
    // which is what follows a failover to the promoted replica.
    redisOptions: {
      ...nodeOptions,
      ...(parsed.username ? { username: parsed.username } : {}),
      ...(parsed.password ? { password: parsed.password } : {}),
      ...(parsed.tls ? { tls: {} } : {}),
    },
    clusterRetryStrategy: (times) => (retryStrategy ? retryStrategy(times) : reconnectDelay(times)),
    enableReadyCheck: true,
    // A failover takes a few hundred ms to a few s: commands wait for the new master instead of failing.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 100,
  });
}

/** Whether a client talks to a Redis Cluster (hash tags then decide which keys one script may touch). */
export function isCluster(client: RedisClient): client is Cluster {
  return client.isCluster;
}

/** A new client to the same Redis with other options (ioredis' `duplicate` takes them differently for a Cluster). */
export function duplicateWith(client: RedisClient, options: RedisOptions): RedisClient {
  if (!isCluster(client)) return client.duplicate(options);
  return client.duplicate(undefined, { redisOptions: { ...client.options.redisOptions, ...options } });
}
