// One real redis-server per test file, and a fresh model group per test so tests never share state.
import { randomUUID } from 'node:crypto';
import { type TestRedisHandle, useTestRedis } from '@switchyard/testkit/vitest';
import type { Redis } from 'ioredis';
import { RoutingState, type RoutingStateOptions } from '../src/index.ts';

export interface Fixture extends TestRedisHandle {
  state(options?: RoutingStateOptions): RoutingState;
}

export function useRedis(): Fixture {
  const db = useTestRedis();
  return {
    get redis() {
      return db.redis;
    },
    get client() {
      return db.client;
    },
    state: (options) => new RoutingState(db.client, options),
  };
}

export const newGroup = (): string => `g-${randomUUID().slice(0, 8)}`;

export async function redisNow(client: Redis): Promise<number> {
  const [s, us] = await client.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the wall clock (the same machine's clock as Redis TIME) passes `atMs`. */
export const sleepUntil = (atMs: number): Promise<void> => sleep(Math.max(0, atMs - Date.now() + 5));
