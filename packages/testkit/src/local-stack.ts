// A whole Switchyard on one machine: its own redis-server, fake providers, N worker processes and a
// client. The demo, the integration suites and the benchmarks all start one this way.
import { SwitchyardClient } from '@switchyard/client';
import { startFakeProvider } from './fake-provider/index.ts';
import type { FakeProvider, FakeProviderOptions } from './fake-provider/types.ts';
import { type StartRedisOptions, startRedis, type TestRedis } from './redis.ts';
import { spawnWorkers, stopWorkers, type WorkerProcess, writeTempConfig } from './worker-pool.ts';

export interface LocalStackOptions {
  /** One entry per fake provider server to start. */
  fakes: readonly FakeProviderOptions[];
  /** Build the LiteLLM config from the fakes' URLs (and the Redis, for configs that name it). */
  config: (fakes: readonly FakeProvider[], redis: TestRedis) => object;
  /** Files written beside the config, for what it names by a relative path (e.g. callback modules). */
  files?: Readonly<Record<string, string>>;
  workers?: number;
  concurrency?: number;
  env?: Record<string, string>;
  /** Extra arguments for each `switchyard worker`, e.g. `['--health-port', '0']`. */
  workerArgs?: string[];
  /** The config's `switchyard_settings.queue_shards`, for the client (the workers read it from the config). */
  queueShards?: number;
  /** e.g. `{ appendonly: true }` for tests that kill and restart Redis. */
  redis?: StartRedisOptions;
  /** How long the client waits for a result. */
  timeoutMs?: number;
  /** Start workers without REDIS_URL: the config must name this stack's Redis (redis_url, redis_host…). */
  redisFromConfig?: boolean;
}

export interface LocalStack {
  redis: TestRedis;
  fakes: FakeProvider[];
  workers: WorkerProcess[];
  client: SwitchyardClient;
  configPath: string;
  /** Tears everything down, whatever failed on the way. */
  stop(): Promise<void>;
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const redis = await startRedis(opts.redis);
  const fakes: FakeProvider[] = [];
  let workers: WorkerProcess[] = [];
  let client: SwitchyardClient | undefined;
  const stop = async () => {
    await client?.close().catch(() => {});
    await stopWorkers(workers).catch(() => {});
    await Promise.all(fakes.map((f) => f.close().catch(() => {})));
    await redis.stop().catch(() => {});
  };
  try {
    for (const fake of opts.fakes) fakes.push(await startFakeProvider(fake));
    const configPath = writeTempConfig(opts.config(fakes, redis), opts.files);
    workers = await spawnWorkers({
      configPath,
      redisUrl: opts.redisFromConfig ? undefined : redis.url,
      count: opts.workers ?? 2,
      concurrency: opts.concurrency ?? 20,
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.workerArgs ? { args: opts.workerArgs } : {}),
    });
    client = new SwitchyardClient({
      redisUrl: redis.url,
      timeoutMs: opts.timeoutMs ?? 30_000,
      pollMs: 1_000,
      ...(opts.queueShards ? { queueShards: opts.queueShards } : {}),
    });
    await client.ready();
    return { redis, fakes, workers, client, configPath, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
