import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../src/redis.ts';

describe('startRedis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis({ appendonly: true });
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('starts a server that answers PING with noeviction', async () => {
    const client = redis.client();
    try {
      expect(await client.ping()).toBe('PONG');
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      client.quit();
    }
  });

  it.skipIf(Boolean(process.env.REDIS_URL))('restart keeps AOF data on the same port', async () => {
    const before = redis.client();
    await before.set('kept', 'yes');
    before.disconnect();
    const port = redis.port;
    await redis.restart();
    expect(redis.port).toBe(port);
    const after = redis.client();
    try {
      expect(await after.get('kept')).toBe('yes');
    } finally {
      after.disconnect();
    }
  });

  it.skipIf(Boolean(process.env.REDIS_URL))('a killed server comes back with its data', async () => {
    const before = redis.client();
    await before.set('survives', 'kill');
    before.disconnect();
    redis.kill('SIGKILL');
    await redis.restart();
    const after = redis.client();
    try {
      expect(await after.get('survives')).toBe('kill');
    } finally {
      after.disconnect();
    }
  });
});
