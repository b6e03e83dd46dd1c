// A listening gateway with its own producer client; `close()` drains waiting requests before letting go.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BatchStoreOptions, ExpiringOwners } from '@switchyard/batch';
import { SwitchyardClient } from '@switchyard/client';
import {
  DEFAULT_RESULT_TTL_SEC,
  eventsStreamKey,
  metricsEnabled,
  type SwitchyardConfig,
  stateNamespace,
} from '@switchyard/core';
import { createGateway, type GatewayLogger } from './gateway.ts';
import type { MetricsSource } from './metrics-route.ts';
import type { DashboardSource } from './ui-route.ts';

export interface StartGatewayOptions {
  /** Default 4000 (the LiteLLM Proxy's port); 0 picks a free one. */
  port?: number;
  /** Default 127.0.0.1: exposing the gateway beyond the machine is a deliberate choice. */
  host?: string;
  /** Default: REDIS_URL, else redis://127.0.0.1:6379. */
  redisUrl?: string;
  queueName?: string;
  prefix?: string;
  /** The workers' `switchyard_settings.queue_shards`. @defaultValue 1 */
  queueShards?: number;
  apiKeys?: string[];
  /** How long one request waits for its job before a 504. Default 10 min. */
  timeoutMs?: number;
  maxBodyBytes?: number;
  logger?: GatewayLogger;
  /** How long `close()` lets waiting requests finish before answering them 503 with their job id. Default 10 s. */
  drainMs?: number;
  /** Caps and retention of /v1/files and /v1/batches (defaults in BATCH_STORE_DEFAULTS). */
  batch?: BatchStoreOptions;
  /** LiteLLM's `general_settings.master_key`: an API key that may also read any caller's job. */
  masterKey?: string;
  /** How long finished jobs are kept (the config's result_ttl_seconds): job ownership lives as long. */
  resultTtlSec?: number;
  /** Open connections at once; more are refused by the socket. @defaultValue 4096 */
  maxConnections?: number;
  /** Requests waiting for results or reading a stream at once; more get 503. @defaultValue 10000 */
  maxWaiting?: number;
  /** Bound on the readiness probe's Redis round trip. @defaultValue 2000 */
  readinessTimeoutMs?: number;
  /** Encrypts raw credentials added through /model/new and /model/update. Default: SWITCHYARD_SALT_KEY. */
  saltKey?: string;
  /**
   * The workers' config: when it turns metrics on (`success_callback: ["prometheus"]` or
   * `switchyard_settings.metrics`), `GET /metrics` serves the fleet's deployments and queue.
   */
  config?: SwitchyardConfig;
  /** The workers' rpm/tpm window, for the metrics' "used" figures. @defaultValue 60000 */
  windowMs?: number;
  /** Keys that may only look at `/metrics` and `/ui` (not API keys). */
  readOnlyKeys?: string[];
}

export interface RunningGateway {
  readonly url: string;
  readonly server: Server;
  readonly client: SwitchyardClient;
  close(): Promise<void>;
}

export async function startGateway(opts: StartGatewayOptions = {}): Promise<RunningGateway> {
  const client = new SwitchyardClient({
    ...(opts.redisUrl ? { redisUrl: opts.redisUrl } : {}),
    ...(opts.queueName ? { queueName: opts.queueName } : {}),
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
    ...(opts.queueShards ? { queueShards: opts.queueShards } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.batch ? { batch: opts.batch } : {}),
    ...(opts.saltKey !== undefined ? { saltKey: opts.saltKey } : {}),
    ...(opts.config ? { maxAudioBytes: opts.config.switchyard.maxAudioBytes } : {}),
  });
  const queueSettings = {
    ...(opts.queueName ? { queueName: opts.queueName } : {}),
    ...(opts.prefix ? { queuePrefix: opts.prefix } : {}),
  };
  const namespace = stateNamespace(queueSettings);
  // Ownership must outlive the longest wait and the kept result.
  const ownerTtlSec =
    (opts.resultTtlSec ?? DEFAULT_RESULT_TTL_SEC) + (opts.timeoutMs ?? 600_000) / 1000 + 86_400;
  const views = opts.config ? await fleetViews(opts.config, client, queueSettings, opts.windowMs) : {};
  const gateway = createGateway({
    client,
    ...views,
    ...(opts.readOnlyKeys ? { readOnlyKeys: opts.readOnlyKeys } : {}),
    ...(opts.config?.callbacks.requireAuthForMetrics === false ? { metricsAuth: false } : {}),
    owners: new ExpiringOwners(client.connection, `${namespace}:owner:`, ownerTtlSec),
    ...(opts.masterKey ? { masterKey: opts.masterKey } : {}),
    ...(opts.maxWaiting ? { maxWaiting: opts.maxWaiting } : {}),
    ...(opts.readinessTimeoutMs ? { readinessTimeoutMs: opts.readinessTimeoutMs } : {}),
    ...(opts.apiKeys ? { apiKeys: opts.apiKeys } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.maxBodyBytes ? { maxBodyBytes: opts.maxBodyBytes } : {}),
    ...(opts.config ? { config: opts.config } : {}),
  });
  // Attach the shared result listener before accepting traffic, so the first request pays nothing extra.
  await client.ready();
  const server = createServer(gateway.handle);
  server.maxConnections = opts.maxConnections ?? 4096;
  server.listen(opts.port ?? 4000, opts.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  let closing: Promise<void> | undefined;
  async function drainAndClose(): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = Date.now() + (opts.drainMs ?? 10_000);
    while (gateway.waiting > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Callers still waiting get their job id, so nothing they asked for is lost to the restart.
    gateway.releaseWaiting();
    // Answered keep-alive connections go now; anything still open after a grace second is cut.
    setImmediate(() => server.closeIdleConnections());
    const cut = setTimeout(() => server.closeAllConnections(), 1_000);
    await closed;
    clearTimeout(cut);
    await client.close();
  }

  return {
    url: `http://${host}:${port}`,
    server,
    client,
    close() {
      closing ??= drainAndClose();
      return closing;
    },
  };
}

/** The dashboard's latency, success rate, cost and traffic share cover the last 15 minutes. */
const DASHBOARD_USAGE_WINDOW_MS = 15 * 60_000;

/**
 * With the workers' config: the `/ui` dashboard always, `/metrics` when the config turns metrics on. Both
 * read the fleet through one FleetReader; the dashboard adds the newest outcome events when they are on.
 */
async function fleetViews(
  config: SwitchyardConfig,
  client: SwitchyardClient,
  queue: { queueName?: string; queuePrefix?: string },
  windowMs: number | undefined,
): Promise<{ metrics?: MetricsSource; dashboard?: DashboardSource }> {
  const obs = await import('@switchyard/observability');
  const reader = new obs.FleetReader({
    config,
    // Every shard's counts, summed: a job is on one of `queue_shards` queues.
    queue: { name: client.queue.name, getJobCounts: (...states) => client.getJobCounts(...states) },
    redis: client.connection,
    namespace: stateNamespace(queue),
    ...(windowMs ? { windowMs } : {}),
  });
  const eventsKey = config.switchyard.events ? eventsStreamKey(queue) : undefined;
  const since = DASHBOARD_USAGE_WINDOW_MS;
  const dashboard: DashboardSource = async () => {
    // The workers' usage totals (getUsageStats), read as they are kept: no second store.
    const [snapshot, deployments, groups, events] = await Promise.all([
      reader.read(),
      client.getUsageStats({ since, by: 'deployment' }),
      client.getUsageStats({ since, by: 'group' }),
      eventsKey ? obs.recentEvents(client.connection, eventsKey) : undefined,
    ]);
    const window = { windowMs: since, deployments: deployments.rows, groups: groups.rows };
    return obs.dashboardState(snapshot, window, events);
  };
  if (!metricsEnabled(config)) return { dashboard };
  const metrics = new obs.FleetMetrics(reader);
  return { dashboard, metrics: () => metrics.render() };
}
