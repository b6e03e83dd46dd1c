// Which Redis a command connects to: REDIS_URL, else the config's redis_url / redis_host…, else localhost.
import { type SwitchyardConfig, withoutPassword } from '@switchyard/core';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisTarget {
  url: string;
  /** For the start-up line: never the password. */
  displayUrl: string;
  source: string;
}

export function redisTarget(config: SwitchyardConfig, env = process.env): RedisTarget {
  if (env.REDIS_URL)
    return { url: env.REDIS_URL, displayUrl: withoutPassword(env.REDIS_URL), source: 'REDIS_URL' };
  if (config.redis) return config.redis;
  return { url: DEFAULT_REDIS_URL, displayUrl: DEFAULT_REDIS_URL, source: 'default' };
}
