import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { TestRedis } from '../src/redis.ts';
import { type TestRedisHandle, useTestRedis } from '../src/vitest.ts';

describe('startRedis', () => {
  const db = useTestRedis({ appendonly: true });

  it('starts a server that answers PING with noeviction', async () => {
    const client = db.redis.client();
    try {
      expect(await client.ping()).toBe('PONG');
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      client.quit();
    }
  });

  it.skipIf(Boolean(process.env.REDIS_URL))('restart keeps AOF data on the same port', async () => {
    const before = db.redis.client();
    await before.set('kept', 'yes');
    before.disconnect();
    const port = db.redis.port;
    await db.redis.restart();
    expect(db.redis.port).toBe(port);
    const after = db.redis.client();
    try {
      expect(await after.get('kept')).toBe('yes');
    } finally {
      after.disconnect();
    }
  });

  it.skipIf(Boolean(process.env.REDIS_URL))('a killed server comes back with its data', async () => {
    const before = db.redis.client();
    await before.set('survives', 'kill');
    before.disconnect();
    db.redis.kill('SIGKILL');
    await db.redis.restart();
    const after = db.redis.client();
    try {
      expect(await after.get('survives')).toBe('kill');
    } finally {
      after.disconnect();
    }
  });
});

describe('useTestRedis', () => {
  let handle: TestRedisHandle;
  let seen: { redis: TestRedis; client: Redis } | undefined;

  it('has nothing to give before its beforeAll ran', () => {
    expect(() => handle.redis).toThrow(/beforeAll/);
    expect(() => handle.client).toThrow(/beforeAll/);
  });

  describe('in its block', () => {
    handle = useTestRedis({ client: { connectionName: 'hooked' } });

    it('gives a running server and one client on it, with the options given', async () => {
      expect(handle.client).toBe(handle.client);
      expect(await handle.client.ping()).toBe('PONG');
      expect(await handle.client.client('GETNAME')).toBe('hooked');
      seen = { redis: handle.redis, client: handle.client };
    });
  });

  it.skipIf(Boolean(process.env.REDIS_URL))(
    'after its block: client disconnected, server stopped',
    async () => {
      expect(seen, 'the block above ran').toBeDefined();
      expect(seen!.client.status).toBe('end');
      expect(() => handle.redis).toThrow(/beforeAll/);
      const probe = seen!.redis.client({ lazyConnect: true, retryStrategy: () => null });
      probe.on('error', () => {});
      await expect(probe.connect()).rejects.toThrow();
      probe.disconnect();
    },
  );
});
