// `switchyard gateway`: the OpenAI-compatible HTTP front door to the queue; SIGTERM/SIGINT drain, then exit 0.

import { DEFAULT_QUEUE_NAME } from '@switchyard/core';
import { startGateway } from '@switchyard/gateway';
import { createLogger } from '@switchyard/worker';
import { InvalidArgumentError } from 'commander';
import { loadConfigOrExit } from '../load-config.ts';
import { redisTarget } from '../redis-target.ts';
import { exitOnSignals } from '../shutdown.ts';

/** The gateway drains waiting requests for up to 10 s (startGateway's drainMs); then it must be gone. */
const GATEWAY_CLOSE_DEADLINE_MS = 20_000;

export interface GatewayCommandOptions {
  /** LiteLLM config.yaml: queue name and prefix, result TTL, master key and Redis, as the workers read them. */
  config?: string;
  port: number;
  host: string;
  queue?: string;
  apiKey: string[];
  readOnlyKey: string[];
  timeout: number;
  batchMaxFileBytes?: number;
  batchMaxRequests?: number;
  batchRetentionSeconds?: number;
}

/** 0 is allowed: it picks a free port (printed in the `gateway listening` log line). */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}

/** Commander's accumulator for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Keys from repeated flags plus an env variable (comma-separated, for secrets in env). */
export function gatewayKeys(flags: readonly string[], env = process.env.SWITCHYARD_GATEWAY_KEYS): string[] {
  const fromEnv = (env ?? '').split(',').map((k) => k.trim());
  return [...new Set([...flags, ...fromEnv].filter((k) => k.length > 0))];
}

export async function runGateway(opts: GatewayCommandOptions): Promise<void> {
  const logger = createLogger({ name: 'switchyard-gateway' });
  const apiKeys = gatewayKeys(opts.apiKey);
  const readOnlyKeys = gatewayKeys(opts.readOnlyKey ?? [], process.env.SWITCHYARD_READONLY_KEYS);
  const config = opts.config ? loadConfigOrExit(opts.config) : undefined;
  const redis = config ? redisTarget(config) : undefined;
  const queue = opts.queue ?? config?.switchyard.queueName ?? DEFAULT_QUEUE_NAME;
  const windowMs = process.env.SWITCHYARD_WINDOW_MS ? Number(process.env.SWITCHYARD_WINDOW_MS) : undefined;
  // `callbacks: ["otel"]`: the producer spans of the jobs this gateway adds are exported (if an SDK is there).
  const otel = config?.callbacks.otel
    ? await (await import('@switchyard/observability')).startOtelExport(logger)
    : undefined;
  const gateway = await startGateway({
    port: opts.port,
    host: opts.host,
    queueName: queue,
    ...(redis ? { redisUrl: redis.url } : {}),
    ...(config?.switchyard.queuePrefix ? { prefix: config.switchyard.queuePrefix } : {}),
    ...(config ? { queueShards: config.switchyard.queueShards } : {}),
    ...(config ? { resultTtlSec: config.switchyard.resultTtlSec } : {}),
    ...(config?.masterKey ? { masterKey: config.masterKey } : {}),
    ...(config ? { config } : {}),
    ...(windowMs ? { windowMs } : {}),
    apiKeys,
    readOnlyKeys,
    timeoutMs: opts.timeout,
    logger,
    batch: {
      ...(opts.batchMaxFileBytes ? { maxFileBytes: opts.batchMaxFileBytes } : {}),
      ...(opts.batchMaxRequests ? { maxRequests: opts.batchMaxRequests } : {}),
      ...(opts.batchRetentionSeconds ? { retentionSec: opts.batchRetentionSeconds } : {}),
    },
  });
  // Before the "listening" line: a SIGTERM sent on seeing it must close gracefully, not kill.
  exitOnSignals({
    logger,
    what: 'gateway',
    closingMessage: 'closing gateway',
    close: async () => {
      await gateway.close();
      await otel?.shutdown();
    },
    deadlineMs: GATEWAY_CLOSE_DEADLINE_MS,
  });
  // The number of keys, never the keys.
  logger.info(
    {
      url: gateway.url,
      queue,
      apiKeys: apiKeys.length,
      readOnlyKeys: readOnlyKeys.length,
      masterKey: Boolean(config?.masterKey),
      ...(config ? { dashboard: `${gateway.url}/ui` } : {}),
    },
    'gateway listening',
  );
  if (apiKeys.length === 0 && !config?.masterKey)
    logger.warn('no API keys configured: every caller that can reach the port is accepted');
  process.send?.({ type: 'ready', url: gateway.url });
}
