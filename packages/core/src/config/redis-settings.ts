// `redis_url` / `redis_host` / `redis_port` / `redis_password` in router_settings → one Redis URL, used by
// the commands when REDIS_URL is not set (REDIS_URL stays the one override, as for every deployment tool).
import type { ConfigIssue } from './config-error.ts';
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
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.href;
  } catch {
    return '(unparseable redis url)';
  }
}
