// One real stack per test file (testkit's local stack) with a single fake provider.
import type { SwitchyardClient } from '@switchyard/client';
import { type RunningGateway, type StartGatewayOptions, startGateway } from '@switchyard/gateway';
import {
  type FakeProvider,
  type FakeProviderOptions,
  type StartRedisOptions,
  startLocalStack,
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
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const { fakes, ...stack } = await startLocalStack({
    ...opts,
    fakes: [opts.fake ?? {}],
    config: ([fake]) => opts.config(fake!),
  });
  return { ...stack, fake: fakes[0]! };
}

export interface GatewayStack extends Stack {
  gateway: RunningGateway;
  /** The official SDK on the gateway, with no key and no retries of its own. */
  sdk: OpenAI;
}

type GatewayOptions = Omit<StartGatewayOptions, 'port' | 'redisUrl'>;

/**
 * `startStack` plus an in-process gateway on its Redis (`gateway`: its options, or a function of the started
 * stack, e.g. to load its config file); stop() closes it first.
 */
export async function startGatewayStack(
  opts: StackOptions & { gateway?: GatewayOptions | ((stack: Stack) => GatewayOptions) },
): Promise<GatewayStack> {
  const stack = await startStack(opts);
  let gateway: RunningGateway;
  try {
    const options = typeof opts.gateway === 'function' ? opts.gateway(stack) : opts.gateway;
    gateway = await startGateway({ port: 0, redisUrl: stack.redis.url, ...options });
  } catch (err) {
    await stack.stop();
    throw err;
  }
  const sdk = new OpenAI({ apiKey: 'unused', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  return {
    ...stack,
    gateway,
    sdk,
    async stop() {
      await gateway.close();
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
