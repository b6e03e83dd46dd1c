// Which Redis a command connects to: REDIS_CLUSTER_NODES or REDIS_URL, else the config's redis_url /
// redis_host… / redis_startup_nodes, else localhost. A cluster is one `redis+cluster://` address string.
import {
  redisAddressFromEnv,
  redisEnvSource,
  type SwitchyardConfig,
  withoutPassword,
} from '@switchyard/core';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisTarget {
  url: string;
  /** For the start-up line: never the password. */
  displayUrl: string;
  source: string;
}

export function redisTarget(config: SwitchyardConfig, env = process.env): RedisTarget {
  const fromEnv = redisAddressFromEnv(env);
  if (fromEnv) return { url: fromEnv, displayUrl: withoutPassword(fromEnv), source: redisEnvSource(env)! };
  if (config.redis) return config.redis;
  return { url: DEFAULT_REDIS_URL, displayUrl: DEFAULT_REDIS_URL, source: 'default' };
}
