// `redis_url` / `redis_host` / `redis_port` / `redis_password` in router_settings → one Redis URL, used by
// the commands when REDIS_URL is not set (REDIS_URL stays the one override, as for every deployment tool).
import type { ConfigIssue } from './config-error.ts';
import { clusterAddress, isClusterAddress, parseNodeList } from './redis-address.ts';
import type { PickSetting } from './router-settings.ts';
import type { RedisSettings } from './types.ts';

const DEFAULT_PORT = 6379;

/** Undefined when the config names no Redis (or REDIS_URL is set: then the keys were never read). */
export function redisSettings(
  pick: PickSetting,
  issues: ConfigIssue[],
  warnings: string[],
): RedisSettings | undefined {
  const url = pick('redis_url');
  const host = pick('redis_host');
  const port = pick('redis_port');
  const password = pick('redis_password');
  const startupNodes = pick('redis_startup_nodes');
  if (startupNodes !== undefined) {
    // LiteLLM's cluster form wins, as in LiteLLM's RedisCache (startup nodes → RedisCluster).
    for (const unused of [url, host, port])
      if (unused) warnings.push(`${unused.path}: not used, ${startupNodes.path} is given`);
    try {
      const nodes = parseNodeList(JSON.stringify(startupNodes.value));
      const address = clusterAddress(nodes, { password: password?.value });
      const source = [startupNodes, password].filter((p) => p !== undefined).map((p) => p.path);
      return { url: address, displayUrl: withoutPassword(address), source: source.join(', ') };
    } catch (err) {
      issues.push({ path: startupNodes.path, message: (err as Error).message });
      return undefined;
    }
  }
  if (url !== undefined) {
    for (const unused of [host, port, password])
      if (unused) warnings.push(`${unused.path}: not used, ${url.path} is given`);
    if (!/^rediss?:\/\/[^/]/.test(url.value) || !URL.canParse(url.value)) {
      issues.push({ path: url.path, message: 'expected a redis:// or rediss:// URL' });
      return undefined;
    }
    return { url: url.value, displayUrl: withoutPassword(url.value), source: url.path };
  }
  if (host === undefined) {
    for (const unused of [port, password])
      if (unused) warnings.push(`${unused.path}: not used without redis_host or redis_url`);
    return undefined;
  }
  const target = new URL('redis://localhost');
  target.hostname = host.value;
  target.port = String(port?.value ?? DEFAULT_PORT);
  if (password !== undefined) target.password = password.value;
  const source = [host, port, password].filter((p) => p !== undefined).map((p) => p.path);
  return { url: target.href, displayUrl: withoutPassword(target.href), source: source.join(', ') };
}

/** The URL for logs: a password (or a user's secret part) replaced by `***`. */
export function withoutPassword(url: string): string {
  if (isClusterAddress(url)) return url.replace(/(\+cluster:\/\/[^:@/]*:)[^@]*@/, '$1***@');
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.href;
  } catch {
    return '(unparseable redis url)';
  }
}
