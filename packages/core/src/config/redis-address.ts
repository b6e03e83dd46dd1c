// One string names the Redis every command uses: a `redis://` / `rediss://` URL for one server, or
// `redis+cluster://[user:password@]host:port,host:port…` for a Redis Cluster (its startup nodes). One string
// travels through REDIS_URL-style options, child-process env and the config alike; connectRedis() reads it.

export interface ClusterNode {
  host: string;
  port: number;
}

export type RedisAddress =
  | { kind: 'server'; url: string }
  | { kind: 'cluster'; nodes: ClusterNode[]; username?: string; password?: string; tls: boolean };

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\/(.*)$/;

export function isClusterAddress(address: string): boolean {
  return CLUSTER_SCHEME.test(address);
}

/** Throws RangeError on a cluster address without a valid `host:port` node. */
export function parseRedisAddress(address: string): RedisAddress {
  const match = CLUSTER_SCHEME.exec(address);
  if (!match) return { kind: 'server', url: address };
  const rest = match[2]!.replace(/\/.*$/, '');
  const at = rest.lastIndexOf('@');
  const userinfo = at >= 0 ? rest.slice(0, at) : '';
  const nodes = parseNodeList(at >= 0 ? rest.slice(at + 1) : rest);
  const colon = userinfo.indexOf(':');
  const username = decodeURIComponent(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
  const password = colon >= 0 ? decodeURIComponent(userinfo.slice(colon + 1)) : undefined;
  return {
    kind: 'cluster',
    nodes,
    ...(username ? { username } : {}),
    ...(password !== undefined && password !== '' ? { password } : {}),
    tls: match[1] === 'rediss',
  };
}

/** `host:port,host:port` (REDIS_CLUSTER_NODES) or LiteLLM's JSON `[{"host": …, "port": …}]`. */
export function parseNodeList(text: string): ClusterNode[] {
  const trimmed = text.trim();
  const items: unknown[] = trimmed.startsWith('[')
    ? (JSON.parse(trimmed) as unknown[])
    : trimmed.split(',').map((s) => s.trim());
  const nodes = items.map(toNode);
  if (nodes.length === 0) throw new RangeError('expected at least one cluster node (host:port)');
  return nodes;
}

function toNode(item: unknown): ClusterNode {
  if (typeof item === 'string') {
    const i = item.lastIndexOf(':');
    const host = i > 0 ? item.slice(0, i).replace(/^\[|\]$/g, '') : '';
    return checked(host, i > 0 ? item.slice(i + 1) : '', item);
  }
  if (item && typeof item === 'object') {
    const { host, port } = item as { host?: unknown; port?: unknown };
    return checked(typeof host === 'string' ? host : '', String(port ?? ''), JSON.stringify(item));
  }
  throw new RangeError(`expected host:port, got ${JSON.stringify(item)}`);
}

function checked(host: string, portText: string, shown: string): ClusterNode {
  const port = Number(portText);
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new RangeError(`expected host:port, got ${JSON.stringify(shown)}`);
  return { host, port };
}

/** The one string for a cluster: what REDIS_CLUSTER_NODES and `redis_startup_nodes` become. */
export function clusterAddress(
  nodes: readonly ClusterNode[],
  auth: { username?: string | undefined; password?: string | undefined; tls?: boolean } = {},
): string {
  const user = auth.username ? encodeURIComponent(auth.username) : '';
  const userinfo = auth.password ? `${user}:${encodeURIComponent(auth.password)}@` : user ? `${user}@` : '';
  const list = nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',');
  return `${auth.tls ? 'rediss' : 'redis'}+cluster://${userinfo}${list}`;
}

/**
 * The address the environment names: REDIS_CLUSTER_NODES (with REDIS_PASSWORD / REDIS_USERNAME, as LiteLLM
 * reads them) wins over REDIS_URL; undefined when neither is set.
 */
export function redisAddressFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  if (env.REDIS_CLUSTER_NODES)
    return clusterAddress(parseNodeList(env.REDIS_CLUSTER_NODES), {
      username: env.REDIS_USERNAME || undefined,
      password: env.REDIS_PASSWORD || undefined,
    });
  return env.REDIS_URL || undefined;
}

/** Which environment variable names the Redis, for messages; undefined when none does. */
export function redisEnvSource(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  if (env.REDIS_CLUSTER_NODES) return 'REDIS_CLUSTER_NODES';
  return env.REDIS_URL ? 'REDIS_URL' : undefined;
}
