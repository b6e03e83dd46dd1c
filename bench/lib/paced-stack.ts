// The rate-limited stack the batch and pacing scenarios share: one Redis, a fake provider that enforces each
// deployment's rpm per window, and Switchyard workers routing by usage over the same (shortened) window.
import { type FakeProvider, startFakeProvider, startRedis, type TestRedis } from '@switchyard/testkit';
import { benchConfig, type DeploymentSpec } from './config.ts';
import { type RunningSystem, startSystem } from './systems.ts';

/** The window both sides count in, shortened from 60 s so a run takes about a minute. */
export const WINDOW_MS = 5_000;
export const WORKERS = 2;
export const CONCURRENCY = 50;
export const LATENCY_MS = 20;

export interface PacedStackOptions {
  queueName: string;
  /** Requests per window by model key: each a deployment's rpm and the fake's limit for that key. */
  rpm: Record<string, number>;
  /** More deployments, which the fake does not limit (it enforces rpm only), given once the fake runs. */
  more?: (fake: FakeProvider) => Promise<DeploymentSpec[]>;
}

export interface PacedStack {
  redis: TestRedis;
  fake: FakeProvider;
  system: RunningSystem;
  deployments: DeploymentSpec[];
  stop(): Promise<void>;
}

export async function startPacedStack(opts: PacedStackOptions): Promise<PacedStack> {
  const redis = await startRedis();
  const fake = await startFakeProvider({
    latencyMs: LATENCY_MS,
    rateWindowMs: WINDOW_MS,
    modelLimits: Object.fromEntries(Object.entries(opts.rpm).map(([model, rpm]) => [model, { rpm }])),
  });
  const deployments: DeploymentSpec[] = [
    ...Object.entries(opts.rpm).map(([model, rpm]) => ({ model, rpm })),
    ...((await opts.more?.(fake)) ?? []),
  ];
  const system = await startSystem({
    system: 'switchyard',
    redisUrl: redis.url,
    queueName: opts.queueName,
    workers: WORKERS,
    concurrency: CONCURRENCY,
    config: benchConfig(fake.url, deployments, { routing_strategy: 'usage-based-routing-v2' }),
    env: { SWITCHYARD_WINDOW_MS: String(WINDOW_MS) },
  });
  return {
    redis,
    fake,
    system,
    deployments,
    async stop() {
      await system.stop();
      await fake.close();
      await redis.stop();
    },
  };
}
