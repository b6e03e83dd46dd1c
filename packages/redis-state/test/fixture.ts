// One real redis-server per test file, and a fresh model group per test so tests never share state.
import { randomUUID } from 'node:crypto';
import { startRedis, type TestRedis } from '@switchyard/testkit';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { RoutingState, type RoutingStateOptions } from '../src/index.ts';

export interface Fixture {
  redis: TestRedis;
  client: Redis;
  state(options?: RoutingStateOptions): RoutingState;
}

export function useRedis(): Fixture {
  const fixture = {} as Fixture;
  const clients: Redis[] = [];
  beforeAll(async () => {
    fixture.redis = await startRedis();
    fixture.client = fixture.redis.client();
    fixture.state = (options) => new RoutingState(fixture.client, options);
    clients.push(fixture.client);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await fixture.redis?.stop();
  });
  return fixture;
}

export const newGroup = (): string => `g-${randomUUID().slice(0, 8)}`;

export async function redisNow(client: Redis): Promise<number> {
  const [s, us] = await client.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the wall clock (the same machine's clock as Redis TIME) passes `atMs`. */
export const sleepUntil = (atMs: number): Promise<void> => sleep(Math.max(0, atMs - Date.now() + 5));
