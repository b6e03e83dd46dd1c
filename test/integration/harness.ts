// One real stack per test file: its own redis-server, fake providers, N worker processes and a client.
import { SwitchyardClient } from '@switchyard/client';
import {
  type FakeProvider,
  type FakeProviderOptions,
  type StartRedisOptions,
  spawnWorkers,
  startFakeProvider,
  startRedis,
  stopWorkers,
  type TestRedis,
  type WorkerProcess,
  writeTempConfig,
} from '@switchyard/testkit';

export interface Stack {
  redis: TestRedis;
  fake: FakeProvider;
  workers: WorkerProcess[];
  client: SwitchyardClient;
  configPath: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Build the LiteLLM config from the fake's URL. */
  config: (fake: FakeProvider) => object;
  fake?: FakeProviderOptions;
  workers?: number;
  concurrency?: number;
  env?: Record<string, string>;
  /** e.g. `{ appendonly: true }` for tests that kill and restart Redis. */
  redis?: StartRedisOptions;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const redis = await startRedis(opts.redis);
  const fake = await startFakeProvider(opts.fake ?? {});
  const configPath = writeTempConfig(opts.config(fake));
  const workers = await spawnWorkers({
    configPath,
    redisUrl: redis.url,
    count: opts.workers ?? 2,
    concurrency: opts.concurrency ?? 20,
    ...(opts.env ? { env: opts.env } : {}),
  });
  const client = new SwitchyardClient({ redisUrl: redis.url, timeoutMs: 30_000, pollMs: 1_000 });
  await client.ready();
  return {
    redis,
    fake,
    workers,
    client,
    configPath,
    async stop() {
      await client.close().catch(() => {});
      await stopWorkers(workers).catch(() => {});
      await fake.close().catch(() => {});
      await redis.stop().catch(() => {});
    },
  };
}

/** An OpenAI-kind deployment on the fake, identified by its model name. */
export function openaiDeployment(fake: FakeProvider, group: string, model: string, extra: object = {}) {
  return {
    model_name: group,
    litellm_params: {
      model: `openai/${model}`,
      api_base: `${fake.url}/v1`,
      api_key: 'sk-test-secret',
      ...extra,
    },
    model_info: { id: model },
  };
}

export function chat(model: string, content = 'hello') {
  return { model, messages: [{ role: 'user', content }] };
}
