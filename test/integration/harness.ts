// One real stack per test file (testkit's local stack) with a single fake provider.
import type { SwitchyardClient } from '@switchyard/client';
import { type RunningGateway, type StartGatewayOptions, startGateway } from '@switchyard/gateway';
import {
  type FakeProvider,
  type FakeProviderOptions,
  type GatewayProcess,
  type StartRedisOptions,
  spawnGateway,
  startLocalStack,
  stopWorkers,
  type TestRedis,
  type WorkerProcess,
} from '@switchyard/testkit';
import OpenAI from 'openai';
import { expect } from 'vitest';

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
  /** Files beside the config (callback modules it names by a relative path). */
  files?: Readonly<Record<string, string>>;
  /** Extra `switchyard worker` arguments, e.g. `['--health-port', '0']` to scrape its /metrics. */
  workerArgs?: string[];
  /** The config's `queue_shards`, for the stack's client. */
  queueShards?: number;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const { fakes, ...stack } = await startLocalStack({
    ...opts,
    fakes: [opts.fake ?? {}],
    config: ([fake]) => opts.config(fake!),
  });
  return { ...stack, fake: fakes[0]! };
}

export interface GatewayStack<G extends { url: string } = RunningGateway> extends Stack {
  gateway: G;
  /** The official SDK on the gateway, with no key and no retries of its own. */
  sdk: OpenAI;
}

type GatewayOptions = Omit<StartGatewayOptions, 'port' | 'redisUrl'>;

/**
 * `startStack` plus an in-process gateway on its Redis (`gateway`: its options, or a function of the started
 * stack, e.g. to load its config file); stop() closes it first.
 */
export function startGatewayStack(
  opts: StackOptions & { gateway?: GatewayOptions | ((stack: Stack) => GatewayOptions) },
): Promise<GatewayStack> {
  return withGateway(opts, async (stack) => {
    const options = typeof opts.gateway === 'function' ? opts.gateway(stack) : opts.gateway;
    const gateway = await startGateway({ port: 0, redisUrl: stack.redis.url, ...options });
    return { gateway, close: () => gateway.close() };
  });
}

/**
 * `startStack` plus `switchyard gateway` as a process on the stack's config file and Redis, for suites that
 * test what its command line and environment set up (`gatewayProcess.env`: its own variables, beside the
 * workers'); stop() stops it first.
 */
export function startGatewayProcessStack(
  opts: StackOptions & { gatewayProcess?: { env?: Record<string, string>; args?: string[] } },
): Promise<GatewayStack<GatewayProcess>> {
  return withGateway(opts, async (stack) => {
    const gateway = await spawnGateway({
      configPath: stack.configPath,
      redisUrl: stack.redis.url,
      ...opts.gatewayProcess,
    });
    return { gateway, close: () => stopWorkers([gateway]) };
  });
}

/** The stack, then a gateway started on it (torn down with the stack if it fails), and the SDK on its URL. */
async function withGateway<G extends { url: string }>(
  opts: StackOptions,
  start: (stack: Stack) => Promise<{ gateway: G; close(): Promise<unknown> }>,
): Promise<GatewayStack<G>> {
  const stack = await startStack(opts);
  let started: Awaited<ReturnType<typeof start>>;
  try {
    started = await start(stack);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  const { gateway, close } = started;
  const sdk = new OpenAI({ apiKey: 'unused', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  return {
    ...stack,
    gateway,
    sdk,
    async stop() {
      await close();
      await stack.stop();
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

/** The SDK's rejection, for asserting on its error class, status, code and headers. */
export async function sdkError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the call should have failed').toBeInstanceOf(OpenAI.APIError);
  return err as InstanceType<typeof OpenAI.APIError>;
}
