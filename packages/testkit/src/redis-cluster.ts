// A local Redis Cluster for tests and benchmarks: 3 masters + 3 replicas from `redis-server
// --cluster-enabled yes` on free loopback ports, joined by `redis-cli --cluster create`, so suites can run
// against sharded slots and fail a master over (`CLUSTER FAILOVER` on its replica) mid-run.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { clusterAddress } from '@switchyard/core';
import { connectRedis, type RedisClient } from '@switchyard/redis-state';
import { Redis } from 'ioredis';
import { freePort, waitForPing } from './redis.ts';

const run = promisify(execFile);
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;

export interface StartRedisClusterOptions {
  /** Masters (each gets one replica). @defaultValue 3 */
  masters?: number;
  /** `requirepass` and `masterauth` on every node; the address then carries it. */
  password?: string;
  /**
   * Seconds a node may be unreachable before the cluster calls it failed. Low enough for tests, high enough
   * that a loaded machine does not fail masters over on its own. @defaultValue 5000 (ms)
   */
  nodeTimeoutMs?: number;
}

export interface ClusterNodeProcess {
  port: number;
  child: ChildProcess;
}

export interface TestRedisCluster {
  /** `redis+cluster://127.0.0.1:p1,…` (masters' ports at start): REDIS_URL, redisUrl, connectRedis. */
  url: string;
  /** `host:port,…` of every node, the REDIS_CLUSTER_NODES form. */
  nodeList: string;
  nodes: readonly ClusterNodeProcess[];
  /** A new ioredis Cluster client (the caller must `quit()` it). */
  client(): RedisClient;
  /**
   * Promotes the replica of the master that owns `key`'s slot with `CLUSTER FAILOVER` (a manual failover:
   * the master stops writes, the replica catches up, then takes over) and waits until the cluster agrees.
   */
  failover(key: string): Promise<{ from: number; to: number }>;
  /** Stops every node and removes their data. */
  stop(): Promise<void>;
}

export async function startRedisCluster(opts: StartRedisClusterOptions = {}): Promise<TestRedisCluster> {
  const count = (opts.masters ?? 3) * 2;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-cluster-'));
  const nodes: ClusterNodeProcess[] = [];
  const auth = opts.password === undefined ? [] : ['-a', opts.password, '--no-auth-warning'];
  const onExit = () => {
    for (const n of nodes) n.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  const stop = async () => {
    await Promise.all(nodes.map((n) => stopNode(n.child)));
    process.off('exit', onExit);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) nodes.push(await startNode(dir, opts));
    const addresses = nodes.map((n) => `${HOST}:${n.port}`);
    await run('redis-cli', [
      ...auth,
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    await waitUntil(() => clusterSettled(nodes, opts.password, count), 'cluster to settle');
  } catch (err) {
    await stop();
    throw err;
  }
  const nodeList = nodes.map((n) => `${HOST}:${n.port}`).join(',');
  const url = clusterAddress(
    nodes.map((n) => ({ host: HOST, port: n.port })),
    { password: opts.password },
  );
  return {
    url,
    nodeList,
    nodes,
    client: () => connectRedis(url, 'worker'),
    async failover(key) {
      const probe = nodeClient(nodes[0]!.port, opts.password);
      try {
        const slot = Number(await probe.call('CLUSTER', 'KEYSLOT', key));
        const table = parseNodes(String(await probe.call('CLUSTER', 'NODES')));
        const master = table.find((n) => n.master && n.slots.some(([a, b]) => slot >= a && slot <= b));
        const replica = master && table.find((n) => n.masterId === master.id);
        if (!master || !replica) throw new Error(`no master with a replica owns slot ${slot}`);
        const promoted = nodeClient(replica.port, opts.password);
        try {
          await promoted.call('CLUSTER', 'FAILOVER');
          await waitUntil(async () => {
            const role = (await promoted.call('ROLE')) as unknown[];
            return role[0] === 'master' && (await clusterSettled(nodes, opts.password, count));
          }, `failover of ${master.port} to ${replica.port}`);
        } finally {
          promoted.disconnect();
        }
        return { from: master.port, to: replica.port };
      } finally {
        probe.disconnect();
      }
    },
    stop,
  };
}

async function startNode(root: string, opts: StartRedisClusterOptions): Promise<ClusterNodeProcess> {
  // The free ports can be taken between freePort() and bind: try a few.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const busPort = await freePort();
    const dir = join(root, String(port));
    mkdirSync(dir, { recursive: true });
    const args = ['--port', String(port), '--cluster-port', String(busPort), '--bind', HOST, '--dir', dir];
    args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf');
    args.push('--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 5_000));
    // As the fault tests run Redis: nothing acknowledged is lost by a crash.
    args.push(
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    );
    if (opts.password !== undefined) args.push('--requirepass', opts.password, '--masterauth', opts.password);
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitForPing(child, port, opts.password);
      return { port, child };
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
}

async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

function nodeClient(port: number, password?: string): Redis {
  return new Redis({
    host: HOST,
    port,
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    ...(password ? { password } : {}),
  });
}

interface NodeRow {
  id: string;
  port: number;
  master: boolean;
  masterId: string;
  slots: [number, number][];
}

function parseNodes(text: string): NodeRow[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, addr, flags, masterId, , , , , ...slots] = line.split(' ');
      return {
        id: id!,
        port: Number(addr!.split('@')[0]!.split(':').pop()),
        master: flags!.split(',').includes('master'),
        masterId: masterId!,
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s) => {
            const [a, b] = s.split('-').map(Number);
            return [a!, b ?? a!] as [number, number];
          }),
      };
    });
}

/** Every node says `cluster_state:ok`, knows every node, and every replica's link to its master is up. */
async function clusterSettled(
  nodes: readonly ClusterNodeProcess[],
  password: string | undefined,
  count: number,
) {
  for (const n of nodes) {
    const c = nodeClient(n.port, password);
    try {
      const info = String(await c.call('CLUSTER', 'INFO'));
      if (!info.includes('cluster_state:ok') || !info.includes(`cluster_known_nodes:${count}`)) return false;
      const repl = String(await c.call('INFO', 'replication'));
      if (repl.includes('role:slave') && !repl.includes('master_link_status:up')) return false;
    } catch {
      return false;
    } finally {
      c.disconnect();
    }
  }
  return true;
}

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}
