// Redis Cluster: the same load on a local 3-master cluster with the queue in 1 BullMQ queue vs spread over 3
// queue shards (`queue_shards: 3`, one hash tag each), 3 model groups (each group's routing keys on its own slot).
// Reports jobs/s and each master's Redis CPU, so the spread (or its absence) over the masters is visible.
import { SwitchyardClient } from '@switchyard/client';
import { queueShards } from '@switchyard/core';
import { startFakeProvider, startRedisCluster, type TestRedisCluster } from '@switchyard/testkit';
import { Redis } from 'ioredis';
import { benchConfig } from '../lib/config.ts';
import { scaled } from '../lib/scale.ts';
import { fmt, type Scenario } from '../lib/scenario.ts';
import { startSystem } from '../lib/systems.ts';

const WORKERS = 2;
const CONCURRENCY = 50;
const GROUPS = ['ga', 'gb', 'gc'];
const PREFIX = '{bench}';

export const cluster: Scenario = {
  name: 'cluster',
  description:
    `${scaled(4000, 200)} jobs over ${GROUPS.length} groups on a local Redis Cluster (3 masters + 3 replicas), ` +
    `${WORKERS} workers × ${CONCURRENCY}, zero-latency fake: 1 queue vs 3 queue shards; jobs/s and Redis CPU per master`,
  async run() {
    const jobs = scaled(4000, 200);
    const redis = await startRedisCluster();
    const fake = await startFakeProvider({ latencyMs: 0 });
    const rows: (string | number)[][] = [];
    const data: Record<string, unknown> = {};
    try {
      const masters = await masterPorts(redis);
      // One deployment per group, so each group's routing keys sit on their own slot.
      const base = benchConfig(
        fake.url,
        GROUPS.map((group) => ({ model: `${group}-m`, group })),
      );
      for (const shards of [1, 3]) {
        const queueName = `bench-cluster-${shards}`;
        const system = await startSystem({
          system: 'switchyard',
          redisUrl: redis.url,
          queueName,
          workers: WORKERS,
          concurrency: CONCURRENCY,
          config: {
            ...base,
            switchyard_settings: {
              ...base.switchyard_settings,
              queue_name: queueName,
              queue_prefix: PREFIX,
              queue_shards: shards,
            },
          },
        });
        const client = new SwitchyardClient({
          redisUrl: redis.url,
          queueName,
          prefix: PREFIX,
          queueShards: shards,
          timeoutMs: 300_000,
        });
        try {
          await client.ready();
          const cpuBefore = await cpuByMaster(masters);
          const t0 = performance.now();
          const ids = await client.enqueueBatch(
            Array.from({ length: jobs }, (_, i) => ({
              body: { model: GROUPS[i % GROUPS.length], messages: [{ role: 'user', content: `doc ${i}` }] },
            })),
          );
          const outcomes = await Promise.allSettled(ids.map((id) => client.result(id)));
          const seconds = (performance.now() - t0) / 1000;
          const cpuAfter = await cpuByMaster(masters);
          const cpu = masters.map((_port, i) => (cpuAfter[i]! - cpuBefore[i]!) / seconds);
          const failed = outcomes.filter((o) => o.status === 'rejected').length;
          const where = await shardMasters(redis, queueName, shards);
          rows.push([
            shards,
            fmt(jobs / seconds, 0),
            failed,
            cpu.map((c) => `${fmt(c * 100, 0)}%`).join(' / '),
            where.join(', '),
          ]);
          data[`shards${shards}`] = {
            jobs,
            seconds,
            jobsPerSec: jobs / seconds,
            failed,
            cpuPerMaster: cpu,
            where,
          };
        } finally {
          await client.close();
          await system.stop();
        }
      }
    } finally {
      await fake.close();
      await redis.stop();
    }
    const one = data.shards1 as { jobsPerSec: number };
    const three = data.shards3 as { jobsPerSec: number };
    return {
      lines: [`3 shards / 1 queue: ${fmt(three.jobsPerSec / one.jobsPerSec)}× the jobs/s`],
      table: {
        header: [
          'queue shards',
          'jobs/s',
          'failed',
          'Redis CPU per master (busy share)',
          'shard → master port',
        ],
        rows,
      },
      checks: [],
      data,
      notes: [
        'every Redis node, both workers, the fake and the client share this machine: indicative only; a real ' +
          'cluster puts each master on its own cores, which is where shards pay',
      ],
    };
  },
};

async function masterPorts(cluster: TestRedisCluster): Promise<number[]> {
  const ports: number[] = [];
  for (const node of cluster.nodes) {
    const redis = new Redis({ host: '127.0.0.1', port: node.port });
    if (String(await redis.info('replication')).includes('role:master')) ports.push(node.port);
    await redis.quit();
  }
  return ports;
}

/** used_cpu_sys + used_cpu_user of each master, in seconds. */
async function cpuByMaster(ports: readonly number[]): Promise<number[]> {
  return Promise.all(
    ports.map(async (port) => {
      const redis = new Redis({ host: '127.0.0.1', port });
      const info = String(await redis.info('cpu'));
      await redis.quit();
      const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
      return field('used_cpu_sys') + field('used_cpu_user');
    }),
  );
}

/** The master port serving each shard's hash tag. */
async function shardMasters(cluster: TestRedisCluster, queueName: string, shards: number): Promise<number[]> {
  // Any node answers CLUSTER SLOTS / KEYSLOT: a plain connection, no cluster client to tear down.
  const client = new Redis({ host: '127.0.0.1', port: cluster.nodes[0]!.port });
  try {
    const slots = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    return Promise.all(
      queueShards({ queueName, queuePrefix: PREFIX, queueShards: shards }).map(async (s) => {
        const slot = Number(await client.call('CLUSTER', 'KEYSLOT', `${s.prefix}:${queueName}:wait`));
        return slots.find(([a, b]) => slot >= a && slot <= b)?.[2][1] ?? -1;
      }),
    );
  } finally {
    await client.quit();
  }
}
