// Vitest hooks over the testkit (`@switchyard/testkit/vitest`). An entry of its own: the main entry is
// imported outside vitest too (the demo, the CLI, the benchmarks), where importing vitest throws.
import type { Redis, RedisOptions } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { type StartRedisOptions, startRedis, type TestRedis } from './redis.ts';

export interface UseTestRedisOptions extends StartRedisOptions {
  /** Options of `client` (e.g. `{ maxRetriesPerRequest: null }`, as BullMQ wants). */
  client?: RedisOptions;
}

export interface TestRedisHandle {
  /** The server, started in beforeAll and stopped in afterAll. */
  readonly redis: TestRedis;
  /** One ioredis client on it, opened on first use and disconnected in afterAll. */
  readonly client: Redis;
}

/**
 * One real Redis for the enclosing describe block (or file): registers the beforeAll that starts it and the
 * afterAll that disconnects the client and stops it. Read both through the returned accessors, in hooks and
 * tests (they throw before beforeAll has run).
 */
export function useTestRedis(options: UseTestRedisOptions = {}): TestRedisHandle {
  const { client: clientOptions, ...redisOptions } = options;
  let redis: TestRedis | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    redis = await startRedis(redisOptions);
  });
  afterAll(async () => {
    client?.disconnect();
    client = undefined;
    await redis?.stop();
    redis = undefined;
  });
  const started = (): TestRedis => {
    if (!redis) throw new Error('useTestRedis: the server is there from beforeAll to afterAll');
    return redis;
  };
  return {
    get redis() {
      return started();
    },
    get client() {
      if (!client) {
        client = started().client(clientOptions);
        // Tests that kill the server see its absence as rejected commands; without a listener ioredis
        // would also print every reconnection error.
        client.on('error', () => {});
      }
      return client;
    },
  };
}
