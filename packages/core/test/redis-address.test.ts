// One string names a Redis server or a Redis Cluster; the env and LiteLLM's redis_startup_nodes become it.
import { describe, expect, it } from 'vitest';
import {
  clusterAddress,
  loadConfig,
  parseRedisAddress,
  redisAddressFromEnv,
  withoutPassword,
} from '../src/index.ts';

describe('redis addresses', () => {
  it('reads a cluster address back into its nodes and password', () => {
    const address = clusterAddress(
      [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
      ],
      { password: 'p@ss:word' },
    );
    expect(parseRedisAddress(address)).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
      ],
      password: 'p@ss:word',
      tls: false,
    });
    expect(withoutPassword(address)).toBe('redis+cluster://:***@10.0.0.1:7000,redis-b:7001');
    expect(parseRedisAddress('redis://h:6379')).toEqual({ kind: 'server', url: 'redis://h:6379' });
  });

  it('takes REDIS_CLUSTER_NODES (host:port list or LiteLLM JSON) over REDIS_URL', () => {
    expect(
      redisAddressFromEnv({ REDIS_CLUSTER_NODES: 'a:1,b:2', REDIS_PASSWORD: 'pw', REDIS_URL: 'redis://x' }),
    ).toBe('redis+cluster://:pw@a:1,b:2');
    expect(redisAddressFromEnv({ REDIS_CLUSTER_NODES: '[{"host":"a","port":"7001"}]' })).toBe(
      'redis+cluster://a:7001',
    );
    expect(redisAddressFromEnv({ REDIS_URL: 'redis://x:1' })).toBe('redis://x:1');
    expect(() => redisAddressFromEnv({ REDIS_CLUSTER_NODES: 'a' })).toThrow('expected host:port');
  });

  it('turns router_settings.redis_startup_nodes into a cluster address, or names the bad field', () => {
    const config = loadConfig(
      {
        model_list: [{ model_name: 'm', litellm_params: { model: 'openai/m' } }],
        router_settings: { redis_startup_nodes: [{ host: '127.0.0.1', port: '7001' }], redis_password: 'pw' },
      },
      { env: {} },
    );
    expect(config.redis).toMatchObject({
      url: 'redis+cluster://:pw@127.0.0.1:7001',
      displayUrl: 'redis+cluster://:***@127.0.0.1:7001',
    });
    expect(() =>
      loadConfig(
        {
          model_list: [{ model_name: 'm', litellm_params: { model: 'openai/m' } }],
          router_settings: { redis_startup_nodes: [{ host: '127.0.0.1' }] },
        },
        { env: {} },
      ),
    ).toThrow('router_settings.redis_startup_nodes');
  });
});
