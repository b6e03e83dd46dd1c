// What the stages of one job share: the worker's long-lived parts (deps) and the job's own context.
import type {
  Deployment,
  Endpoint,
  JobState,
  RoutedResult,
  RouterSettings,
  SwitchyardConfig,
} from '@switchyard/core';
import type { JobTracer, Observer } from '@switchyard/observability';
import type { ProviderRequest, ProviderResponse, ProviderStream } from '@switchyard/providers';
import type { RedisClient, RoutingState } from '@switchyard/redis-state';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { DeploymentRouter } from '../deployment-router.ts';
import type { ValidJob } from '../job-data.ts';
import type { MockPlan } from '../mock-response.ts';
import type { OutcomeBatcher } from '../outcome-batcher.ts';
import type { ResponseCache } from '../response-cache.ts';
import type { TargetResolver } from '../route-target.ts';

/** One provider call: the same shape for the real provider, a mock, and a streaming call. */
export type Invoke = (req: {
  endpoint: Endpoint;
  body: Record<string, unknown>;
  deployment: Deployment;
  signal: AbortSignal;
}) => Promise<ProviderResponse>;

/** Opens a provider's streamed answer (the providers' `stream()`). */
export type OpenStream = (req: ProviderRequest) => Promise<ProviderStream>;

export interface Streaming {
  open: OpenStream;
  redis: RedisClient;
  /** `stateNamespace()` of the queue: the per-job stream keys live under it. */
  namespace: string;
}

/**
 * Where a job's answer goes besides its returnvalue: nowhere more for a plain job; for a `stream: true`
 * job, its Redis Stream (job/stream-reply.ts). Chosen once per activation, before the job is prepared.
 */
export interface Reply {
  /** The provider call this job's attempts make (a mock replaces it per attempt). */
  invoke: Invoke;
  /** Content already reached the consumer: a failure now can no longer be retried unseen. */
  readonly committed: boolean;
  /** Resolves with the job's returnvalue once the consumer side has the answer too. */
  answered(result: RoutedResult): Promise<RoutedResult>;
  /** The job fails with `reason` (a failedReason). */
  failed(reason: string): Promise<void>;
}

/** The worker's parts every job uses; built once per process. */
export interface PipelineDeps {
  config: SwitchyardConfig;
  groups: ReadonlyMap<string, readonly Deployment[]>;
  resolveTarget: TargetResolver;
  router: DeploymentRouter;
  state: RoutingState;
  outcomes: OutcomeBatcher;
  call: Invoke;
  /** Present when the worker can stream: the providers' stream() and where per-job streams live. */
  streaming?: Streaming;
  logger: Logger;
  random: () => number;
  /** Present when the config turns response caching on. */
  cache?: ResponseCache;
  /** In-flight lease beyond the call timeout (a crashed worker's slot frees itself after it). */
  leaseMarginMs: number;
  /** Writes nobody waits for (cache stores); failures are logged. */
  background: (write: Promise<unknown>) => void;
  /**
   * Told every settled attempt (metrics, event stream, sinks). Called on the job's path: it must return at
   * once and never throw; anything slow belongs in the observer's own buffer.
   */
  observe?: Observer;
  /** Opens each activation's trace span (its observer is part of `observe`). */
  tracer?: Pick<JobTracer, 'run'>;
}

/** Where a job's answer may be stored in the response cache. */
export interface CacheSlot {
  key: string;
  /** False for `no-store` requests and mocked answers. */
  store: boolean;
  ttlSec: number;
}

/** One job, prepared: everything its attempts need, and the state that survives between them. */
export interface JobContext {
  job: Job;
  request: ValidJob;
  reply: Reply;
  /** The plan and the attempts so far; written back to the job's data when it parks or fails. */
  state: JobState;
  /** The config's router settings with the request's own retries and fallbacks. */
  settings: RouterSettings;
  /** Per-attempt timeout in ms, never beyond the configured one. */
  timeoutMs: number;
  /** The request shortened the timeout: its timeouts say nothing about the deployment's health. */
  callerTimeout: boolean;
  /**
   * The request's own `stream_timeout` (ms, never beyond the configured timeout): a deployment's or the router's
   * shorter one still applies. Its stalls, like a caller's timeout, say nothing about the deployment's health.
   */
  streamTimeoutMs?: number;
  estimatedTokens: number;
  /** `specific_deployment`: the requested name pins deployments (only while in the original group). */
  specificDeployment: boolean;
  /** Client-side `{model, …}` fallbacks: the body keys each such group gets instead of the request's. */
  overrides?: ReadonlyMap<string, Record<string, unknown>>;
  /** The request's mocks (only when the config allows them). */
  mock?: MockPlan;
  cache?: CacheSlot;
}
