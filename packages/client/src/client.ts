// Producer SDK: enqueue OpenAI-shaped requests and await their routed results through job events.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Context } from '@opentelemetry/api';
import { BatchService, type BatchStoreOptions } from '@switchyard/batch';
import {
  type AudioFile,
  type BatchObject,
  bullmqPriority,
  ConfigError,
  clusterPrefixIssue,
  DEFAULT_MAX_AUDIO_BYTES,
  DEFAULT_QUEUE_NAME,
  DEFAULT_WAIT_TIMEOUT_MS,
  type DeploymentPrice,
  durationMs,
  type Endpoint,
  eventsStreamKey,
  HEALTH_JOB_NAME,
  type HealthReport,
  isClusterAddress,
  modelCostMap,
  type OutcomeEvent,
  queueShards,
  type RoutedResult,
  redisAddressFromEnv,
  shardOfJobId,
  stateNamespace,
  streamKey,
  streamRequest,
  tracedAdd,
  USAGE_DIMENSIONS,
  type UsageDimension,
  type UsageRow,
  usageRows,
  withoutPriority,
} from '@switchyard/core';
import {
  connectRedis,
  DEFAULT_REDIS_URL,
  duplicateWith,
  type ModelListDoc,
  ModelListStore,
  type RedisClient,
  RoutingState,
  UsageStore,
} from '@switchyard/redis-state';
import { type Job, type JobType, Queue } from 'bullmq';
import { type AudioInput, audioFile, type SpeechAudio, speechAudio } from './audio.ts';
import {
  type BatchRequest,
  type BatchRun,
  type BatchRunOptions,
  runBatch,
  type StoredOutcome,
} from './batch-run.ts';
import { ChunkStream } from './chunk-stream.ts';
import { CompletionError } from './errors.ts';
import { type EventsOptions, readEvents } from './events-reader.ts';
import { ResultWaiter } from './result-waiter.ts';
import { type JobOutcome, readStream, type StreamReadOptions } from './stream-reader.ts';

/** Idle blocking connections kept for stream reads. */
const IDLE_READERS = 32;

export interface StreamOptions extends EnqueueOptions {
  /** Stops reading (the job goes on); the iteration then throws an AbortError. */
  signal?: AbortSignal;
}

export interface ResumeOptions {
  /** A chunk id already read (`stream.lastId`, an SSE `Last-Event-ID`); omitted: from the start. */
  after?: string;
  signal?: AbortSignal;
  /** The job's endpoint, for replaying a stored answer. @defaultValue 'chat.completions' */
  endpoint?: Endpoint;
  includeUsage?: boolean;
}

export interface ClientOptions {
  /**
   * A `redis://` URL, or `redis+cluster://[:password@]host:port,host:port` for a Redis Cluster.
   * Default: REDIS_CLUSTER_NODES (+ REDIS_PASSWORD), else REDIS_URL, else redis://127.0.0.1:6379.
   */
  redisUrl?: string;
  /** Default: `switchyard`. */
  queueName?: string;
  /** BullMQ key prefix, when the workers use a non-default one. */
  prefix?: string;
  /**
   * The workers' `switchyard_settings.queue_shards`: jobs go to shard `FNV-1a(job id) % N` (each job has a
   * random UUID id unless you give one), so any holder of a job id finds its shard. @defaultValue 1
   */
  queueShards?: number;
  /** How long `completion()` waits before giving up (the job itself keeps going). Default 10 min. */
  timeoutMs?: number;
  /** Safety-net poll interval for results whose event was missed. */
  pollMs?: number;
  /** Caps and retention of files and batches (`batches`, `batch()`). */
  batch?: BatchStoreOptions;
  /** Encrypts raw credentials of runtime deployments (AES-256-GCM). Default: SWITCHYARD_SALT_KEY. */
  saltKey?: string;
  /** Audio uploads larger than this are refused before they reach Redis (the workers' `max_audio_bytes`). @defaultValue DEFAULT_MAX_AUDIO_BYTES */
  maxAudioBytes?: number;
}

export interface UsageQuery {
  /** How far back: ms, or a duration such as `15m`, `1h`, `7d`. @defaultValue '1h' */
  since?: number | string;
  /** @defaultValue 'deployment' */
  by?: UsageDimension;
}

/** A transcription or translation request: OpenAI's fields, with the file as bytes or base64. */
export type AudioRequest = Record<string, unknown> & { model: string; file: AudioInput };

export interface EnqueueOptions {
  /** Your own id (idempotency: a duplicate id is not added twice). Must not contain ':'. */
  jobId?: string;
  metadata?: Record<string, unknown>;
  /**
   * BullMQ job priority (1 = first; jobs without one are served before all prioritized jobs, as in
   * BullMQ). A LiteLLM-style `priority` in the body (0 = first) sets it to `priority + 1` when this is unset.
   */
  priority?: number;
  timeoutMs?: number;
  /** Stops waiting for the result when aborted (the job keeps running; fetch it later by id). */
  signal?: AbortSignal;
  /**
   * The trace the job continues (OpenTelemetry). @defaultValue the active context; with no SDK
   * registered, none.
   */
  traceContext?: Context;
}

export type { AttemptRecord, RoutedResult, RoutingInfo } from '@switchyard/core';

/** How long `close()` waits for BullMQ to close gracefully before disconnecting. */
const CLOSE_GRACE_MS = 2_000;

export interface BatchItem {
  endpoint?: Endpoint;
  body: Record<string, unknown>;
  options?: EnqueueOptions;
}

export class SwitchyardClient {
  /** The first shard's queue (the only one without `queueShards`); batches run on it. */
  readonly queue: Queue;
  /** One BullMQ queue per shard. */
  readonly queues: readonly Queue[];
  /** One result listener per shard (BullMQ's events stream is per queue). */
  readonly #waiters: ResultWaiter[];
  readonly #redis: RedisClient;
  readonly #eventsRedis: RedisClient[];
  readonly #timeoutMs: number;
  readonly #batchOptions: BatchStoreOptions;
  readonly #eventsKey: string;
  readonly #namespace: string;
  readonly #readers: RedisClient[] = [];
  #batches: BatchService | undefined;
  readonly #models: ModelListStore;
  readonly #saltKey: string | undefined;
  readonly #maxAudioBytes: number;
  #ready: Promise<void> | undefined;

  constructor(opts: ClientOptions = {}) {
    const url = opts.redisUrl ?? redisAddressFromEnv() ?? DEFAULT_REDIS_URL;
    const layout = { queueName: opts.queueName, queuePrefix: opts.prefix, queueShards: opts.queueShards };
    // On a cluster an untagged prefix fails every BullMQ script with CROSSSLOT: say why at once instead.
    const prefixIssue = isClusterAddress(url) ? clusterPrefixIssue(layout) : undefined;
    if (prefixIssue) throw new ConfigError([prefixIssue]);
    // Producers fail fast when Redis is away instead of queueing commands forever.
    this.#redis = connectRedis(url, 'producer');
    const shards = queueShards({
      queueName: opts.queueName ?? DEFAULT_QUEUE_NAME,
      queuePrefix: opts.prefix,
      queueShards: opts.queueShards,
    });
    this.queues = shards.map((s) => new Queue(s.name, { connection: this.#redis, prefix: s.prefix }));
    this.queue = this.queues[0]!;
    // QueueEvents blocks on XREAD, so each needs its own connection that waits through outages.
    this.#eventsRedis = shards.map(() => connectRedis(url, 'worker'));
    this.#waiters = this.queues.map(
      (queue, i) =>
        new ResultWaiter(
          queue,
          { connection: this.#eventsRedis[i]!, prefix: shards[i]!.prefix },
          opts.pollMs,
        ),
    );
    // During a Redis outage every reconnect attempt emits 'error'; unlistened, ioredis and BullMQ print
    // each one to stderr. Nothing is lost by listening: commands reject and the waiter polls.
    const ignore = () => {};
    this.#redis.on('error', ignore);
    for (const conn of this.#eventsRedis) conn.on('error', ignore);
    for (const queue of this.queues) queue.on('error', ignore);
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    this.#batchOptions = opts.batch ?? {};
    this.#eventsKey = eventsStreamKey({
      ...(opts.queueName ? { queueName: opts.queueName } : {}),
      ...(opts.prefix ? { queuePrefix: opts.prefix } : {}),
    });
    this.#models = new ModelListStore(
      this.#redis,
      stateNamespace({
        ...(opts.queueName ? { queueName: opts.queueName } : {}),
        ...(opts.prefix ? { queuePrefix: opts.prefix } : {}),
      }),
    );
    this.#saltKey = opts.saltKey ?? (process.env.SWITCHYARD_SALT_KEY || undefined);
    this.#maxAudioBytes = opts.maxAudioBytes ?? DEFAULT_MAX_AUDIO_BYTES;
    this.#namespace = stateNamespace({ queueName: this.queue.name, queuePrefix: opts.prefix });
  }

  /** The fleet's model list (LiteLLM `get_deployments`): credentials left out, env references shown. */
  async getDeployments(): Promise<ModelListDoc> {
    return (await this.#models.list()) ?? { version: 0, entries: [] };
  }

  /**
   * LiteLLM `add_deployment`: a model_list entry; every worker serves it within a second. A raw api_key is
   * stored encrypted (needs a salt key), or write `os.environ/NAME`. Bad input throws ConfigError naming
   * the field, and nothing changes.
   */
  addDeployment(entry: Record<string, unknown>): Promise<ModelListDoc> {
    return this.#models.change({ op: 'add', entry }, { saltKey: this.#saltKey });
  }

  /** LiteLLM `update_deployment`: `model_info.id` names it; the given fields are merged over its own. */
  updateDeployment(entry: Record<string, unknown>): Promise<ModelListDoc> {
    return this.#models.change({ op: 'update', entry }, { saltKey: this.#saltKey });
  }

  /** Jobs in an attempt on it finish there; no new attempt goes to it. */
  deleteDeployment(id: string): Promise<ModelListDoc> {
    return this.#models.change({ op: 'delete', id }, { saltKey: this.#saltKey });
  }

  /** LiteLLM `set_model_list`: replaces the whole list in one atomic write. */
  setModelList(entries: readonly unknown[]): Promise<ModelListDoc> {
    return this.#models.change({ op: 'replace', entries }, { saltKey: this.#saltKey });
  }

  /**
   * LiteLLM `get_usage_stats` for the whole fleet: calls, successes, failures by type, tokens, cost and
   * latency p50/p95 per deployment, group, tag or gateway key (its SHA-256), over the last `since`.
   * Totals reach Redis about a second after the calls; buckets are minutes up to 2 h, hours up to 2 days.
   */
  async getUsageStats(
    query: UsageQuery = {},
  ): Promise<{ since: number; by: UsageDimension; rows: UsageRow[] }> {
    const since = typeof query.since === 'string' ? durationMs(query.since) : (query.since ?? 3_600_000);
    if (since === undefined) throw new RangeError(`since: expected a duration such as 15m, 1h, 7d`);
    const by = query.by ?? 'deployment';
    if (!USAGE_DIMENSIONS.includes(by))
      throw new RangeError(`by: expected one of ${USAGE_DIMENSIONS.join(', ')}`);
    const totals = await new UsageStore(this.#redis, this.#namespace).read(by, since);
    return { since, by, rows: usageRows(totals) };
  }

  /**
   * LiteLLM `health_check` / the proxy's `GET /health`: a worker sends each deployment (or one group's) a
   * minimal request for its mode and answers `{healthy_endpoints, unhealthy_endpoints, healthy_count,
   * unhealthy_count}`. Needs a running worker; the results are also stored for `switchyard status`.
   */
  async healthCheck(group?: string, opts: { timeoutMs?: number } = {}): Promise<HealthReport> {
    await this.ready();
    const jobId = randomUUID();
    const waiter = this.#waiterFor(jobId);
    const result = waiter.wait(jobId, opts.timeoutMs ?? this.#timeoutMs);
    try {
      await this.queueFor(jobId).add(HEALTH_JOB_NAME, group === undefined ? {} : { model: group }, {
        jobId,
        removeOnComplete: { age: 3600 },
        removeOnFail: { age: 3600 },
      });
    } catch (err) {
      waiter.cancel(jobId, err as Error);
    }
    return (await result) as HealthReport;
  }

  /** LiteLLM `get_model_cost_map`, per deployment: the prices in use and their source (config, dataset, unknown). */
  async getModelCostMap(): Promise<DeploymentPrice[]> {
    const doc = await this.#models.list();
    return modelCostMap(doc?.entries ?? []);
  }

  /** LiteLLM `reset_cost`: forgets the usage and cost totals and every budget's spend in this period. */
  async resetCost(): Promise<void> {
    await new UsageStore(this.#redis, this.#namespace).reset();
    await new RoutingState(this.#redis, { prefix: this.#namespace }).resetSpend();
  }

  /**
   * The job-outcome event stream (`switchyard_settings.events: true` on the workers) as an async iterator:
   * from now on by default, `from: '0'` for all the stream holds, `group` to read as a consumer group.
   * Each iteration holds a Redis connection of its own for its blocking reads; ending it releases it.
   */
  events(opts: EventsOptions = {}): AsyncGenerator<OutcomeEvent> {
    return readEvents(duplicateWith(this.#redis, { maxRetriesPerRequest: null }), this.#eventsKey, opts);
  }

  /** OpenAI's Files and Batch API over this client's queue (what the gateway's /v1/files and /v1/batches serve). */
  get batches(): BatchService {
    this.#batches ??= new BatchService(this.#redis, this.queue, this.#batchOptions);
    return this.#batches;
  }

  /** The producer connection (fails fast while Redis is away), for small reads and writes beside jobs. */
  get connection(): RedisClient {
    return this.#redis;
  }

  /** Callers currently awaiting a result through this client. */
  get waiting(): number {
    return this.#waiters.reduce((sum, w) => sum + w.size, 0);
  }

  /** The shard queue a job id belongs to (contract/queue-shards.ts). */
  queueFor(jobId: string): Queue {
    return this.queues[shardOfJobId(jobId, this.queues.length)]!;
  }

  /** A job by id: on its shard, else (added there by another producer, or a batch's) on any other shard. */
  async findJob(jobId: string): Promise<Job | undefined> {
    const home = this.queueFor(jobId);
    const job = await home.getJob(jobId);
    if (job || this.queues.length === 1) return job;
    for (const queue of this.queues) {
      if (queue === home) continue;
      const found = await queue.getJob(jobId);
      if (found) return found;
    }
    return undefined;
  }

  /** The logical queue's job counts by state: every shard's, summed (BullMQ's `getJobCounts` reads one queue). */
  async getJobCounts<S extends JobType>(...states: S[]): Promise<Record<S, number>> {
    const perShard = await Promise.all(this.queues.map((q) => q.getJobCounts(...states)));
    const total = Object.fromEntries(states.map((s) => [s, 0])) as Record<S, number>;
    for (const counts of perShard) for (const s of states) total[s] += counts[s] ?? 0;
    return total;
  }

  #waiterFor(jobId: string): ResultWaiter {
    return this.#waiters[shardOfJobId(jobId, this.#waiters.length)]!;
  }

  /** Resolves once the shared event listener is attached (called lazily by the awaiting methods). */
  ready(): Promise<void> {
    this.#ready ??= Promise.all([
      ...this.#waiters.map((w) => w.ready()),
      ...this.queues.map((q) => q.waitUntilReady()),
    ]).then(() => undefined);
    return this.#ready;
  }

  async enqueue(
    endpoint: Endpoint,
    body: Record<string, unknown>,
    opts: EnqueueOptions = {},
  ): Promise<string> {
    const jobId = opts.jobId ?? randomUUID();
    await tracedAdd(
      this.queueFor(jobId).name,
      [{ id: jobId, name: endpoint, model: body.model }],
      opts,
      (stamp) =>
        this.queueFor(jobId).add(endpoint, stamp(withMetadata(body, opts)), jobOptions(jobId, body, opts)),
    );
    return jobId;
  }

  /** Bulk add in one round trip per chunk (per shard); returns job ids in input order. */
  async enqueueBatch(items: readonly BatchItem[], chunkSize = 1000): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < items.length; i += chunkSize) {
      const chunk = items.slice(i, i + chunkSize).map((item) => {
        const jobId = item.options?.jobId ?? randomUUID();
        ids.push(jobId);
        return {
          jobId,
          name: item.endpoint ?? 'chat.completions',
          data: withMetadata(item.body, item.options ?? {}),
          opts: jobOptions(jobId, item.body, item.options ?? {}),
        };
      });
      // One producer span per chunk: every job of it continues that span's trace.
      const traced = chunk.map((j) => ({ id: j.jobId, name: j.name, model: j.data.model }));
      await tracedAdd(this.queue.name, traced, {}, (stamp) => {
        const perShard = new Map<Queue, Parameters<Queue['addBulk']>[0]>();
        for (const { jobId, name, data, opts } of chunk) {
          const queue = this.queueFor(jobId);
          if (!perShard.has(queue)) perShard.set(queue, []);
          perShard.get(queue)!.push({ name, data: stamp(data), opts });
        }
        return Promise.all([...perShard].map(([queue, jobs]) => queue.addBulk(jobs)));
      });
    }
    return ids;
  }

  completion(body: Record<string, unknown>, opts?: EnqueueOptions): Promise<RoutedResult> {
    return this.#call('chat.completions', body, opts);
  }

  /** With `stream: true` in the body, an async iterable of text-completion chunks (as `stream()`). */
  textCompletion(body: Record<string, unknown> & { stream: true }, opts?: StreamOptions): ChunkStream;
  textCompletion(body: Record<string, unknown>, opts?: EnqueueOptions): Promise<RoutedResult>;
  textCompletion(body: Record<string, unknown>, opts?: StreamOptions): Promise<RoutedResult> | ChunkStream {
    if (body.stream === true) return this.#stream('completions', body, opts);
    return this.#call('completions', body, opts);
  }

  /**
   * A chat completion streamed: OpenAI `chat.completion.chunk`s as the worker relays them. The job is
   * routed, retried and cached like any other (retries before the first chunk are unseen); its
   * returnvalue is still the whole answer. Iterating throws CompletionError when the job fails.
   */
  stream(body: Record<string, unknown>, opts?: StreamOptions): ChunkStream {
    return this.#stream('chat.completions', body, opts);
  }

  /** Reads a job's stream again, from the start or after a chunk id: no second provider call. */
  resume(jobId: string, opts: ResumeOptions = {}): ChunkStream {
    const endpoint = opts.endpoint ?? 'chat.completions';
    return new ChunkStream(jobId, () =>
      readStream(this.#streamSource(jobId, endpoint, opts.includeUsage === true), opts),
    );
  }

  embedding(body: Record<string, unknown>, opts?: EnqueueOptions): Promise<RoutedResult> {
    return this.#call('embeddings', body, opts);
  }

  /** OpenAI's images API (`images.generations`): the ImagesResponse plus `routing`. */
  imageGeneration(body: Record<string, unknown>, opts?: EnqueueOptions): Promise<RoutedResult> {
    return this.#call('images.generations', body, opts);
  }

  /**
   * OpenAI's transcriptions API. `file` is `{filename, data: Buffer | base64, content_type?}`; a file over
   * `max_audio_bytes` (25 MiB unless set) is refused with BadRequestError before anything is queued.
   * `response_format` `text`, `srt` or `vtt` answers `{object: 'audio.transcription.text', text, …}`.
   */
  transcription(body: AudioRequest, opts?: EnqueueOptions): Promise<RoutedResult> {
    return this.#audioCall('audio.transcriptions', body, opts);
  }

  /** OpenAI's translations API (audio into English text); as `transcription()`. */
  translation(body: AudioRequest, opts?: EnqueueOptions): Promise<RoutedResult> {
    return this.#audioCall('audio.translations', body, opts);
  }

  /** OpenAI's speech API: the audio as a Buffer, with `contentType` and `routing` on it. */
  async speech(body: Record<string, unknown>, opts?: EnqueueOptions): Promise<SpeechAudio> {
    return speechAudio(await this.#call('audio.speech', body, opts));
  }

  /** OpenAI's moderations API. */
  moderation(body: Record<string, unknown>, opts?: EnqueueOptions): Promise<RoutedResult> {
    return this.#call('moderations', body, opts);
  }

  /** LiteLLM's rerank (Cohere's shape: `query`, `documents`, `top_n`, `return_documents`). */
  rerank(body: Record<string, unknown>, opts?: EnqueueOptions): Promise<RoutedResult> {
    return this.#call('rerank', body, opts);
  }

  /**
   * Run `requests` as one batch (a BullMQ flow, the same as the gateway's /v1/batches: routed, paced,
   * retried, cancellable) and iterate its results in completion order, as OpenAI batch output lines.
   * Its requests run at a lower priority than jobs added without one.
   */
  batch(requests: readonly BatchRequest[], opts: BatchRunOptions = {}): BatchRun {
    return runBatch(
      {
        batches: this.batches,
        ready: () => this.ready(),
        // A batch is one BullMQ flow, all of it on the first shard, whatever its jobs' ids hash to.
        wait: (jobId, timeoutMs) =>
          this.#waiters[0]!.wait(jobId, timeoutMs).then(
            (value): StoredOutcome => ({ ok: true, value }),
            (err: unknown): StoredOutcome =>
              err instanceof CompletionError
                ? { ok: false, reason: `${err.type}: ${err.message}` }
                : undefined,
          ),
        cancelWait: (jobId) => this.#waiters[0]!.cancel(jobId, new Error('batch ended')),
        stored: (jobId) =>
          this.result(jobId, { wait: false }).then(
            (value): StoredOutcome => (value ? { ok: true, value } : undefined),
            (err: unknown): StoredOutcome =>
              err instanceof CompletionError
                ? { ok: false, reason: `${err.type}: ${err.message}` }
                : undefined,
          ),
        statusPollMs: 500,
      },
      requests,
      opts,
    );
  }

  /** A batch's OpenAI Batch object, with live request counts while it runs; undefined when unknown or expired. */
  batchStatus(batchId: string): Promise<BatchObject | undefined> {
    return this.batches.get(batchId);
  }

  /** Removes the batch's waiting requests; running ones finish, then it ends `cancelled`. */
  cancelBatch(batchId: string): Promise<BatchObject> {
    return this.batches.cancel(batchId);
  }

  /**
   * The result of a job by id, for late readers and batches: waits for it unless `wait` is false
   * (then resolves undefined while unfinished). Rejects with CompletionError for failed jobs.
   */
  async result(
    jobId: string,
    opts: { wait?: boolean; timeoutMs?: number } = {},
  ): Promise<RoutedResult | undefined> {
    await this.ready();
    const waiter = await this.#waiterOfStoredJob(jobId);
    const pending = opts.wait === false ? undefined : waiter.wait(jobId, opts.timeoutMs ?? this.#timeoutMs);
    // Marked handled at once: the job's event may reject it while the reads below are in flight, and
    // it is either awaited below or deliberately dropped when the stored state answers first.
    pending?.catch(() => {});
    // A job BullMQ cannot decode (data written as non-JSON by another producer) is not readable
    // here; its completion event still settles the wait, and the wait must not be left unhandled.
    const job = await this.findJob(jobId).catch((err: unknown) => {
      if (!pending) throw err;
      return undefined;
    });
    if (job?.finishedOn) {
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') {
        // Every other wait on this id settles with the same outcome.
        if (state === 'failed') {
          const reason = job.failedReason ?? 'APIConnectionError: failed without a reason';
          if (pending) waiter.deliver(jobId, { reason });
          throw new CompletionError(jobId, reason);
        }
        const value = job.returnvalue as RoutedResult;
        if (pending) waiter.deliver(jobId, { value });
        return value;
      }
    }
    if (!pending) return undefined;
    return (await pending) as RoutedResult;
  }

  /** Settles every wait, then lets go of Redis; with Redis away it does not wait for it to return. */
  async close(): Promise<void> {
    for (const conn of this.#readers.splice(0)) conn.disconnect();
    const graceful = (async () => {
      await this.#batches?.close();
      await Promise.all(this.#waiters.map((w) => w.close()));
      await Promise.all(this.queues.map((q) => q.close()));
    })().catch(() => {});
    // BullMQ's close waits for a connection to come back; a Redis that is gone would hold it forever.
    await Promise.race([graceful, delay(CLOSE_GRACE_MS, undefined, { ref: false })]);
    this.#redis.disconnect();
    for (const conn of this.#eventsRedis) conn.disconnect();
  }

  /** The listener of the shard holding the job: its id's, unless it was found on another (a batch's job). */
  async #waiterOfStoredJob(jobId: string): Promise<ResultWaiter> {
    if (this.queues.length === 1) return this.#waiters[0]!;
    const job = await this.findJob(jobId).catch(() => undefined);
    const index = job ? this.queues.findIndex((q) => q.qualifiedName === job.queueQualifiedName) : -1;
    return index >= 0 ? this.#waiters[index]! : this.#waiterFor(jobId);
  }

  #stream(endpoint: Endpoint, body: Record<string, unknown>, opts: StreamOptions = {}): ChunkStream {
    const jobId = opts.jobId ?? randomUUID();
    const streamed = { ...body, stream: true };
    const added = this.ready().then(() =>
      tracedAdd(
        this.queueFor(jobId).name,
        [{ id: jobId, name: endpoint, model: body.model }],
        opts,
        (stamp) =>
          this.queueFor(jobId).add(
            endpoint,
            stamp(withMetadata(streamed, opts)),
            jobOptions(jobId, streamed, opts),
          ),
      ),
    );
    added.catch(() => {}); // surfaced by the iteration below
    const src = this.#streamSource(jobId, endpoint, streamRequest(streamed).includeUsage);
    const read: StreamReadOptions = opts.signal ? { signal: opts.signal } : {};
    return new ChunkStream(jobId, async function* () {
      await added;
      return yield* readStream(src, read);
    });
  }

  #streamSource(jobId: string, endpoint: Endpoint, includeUsage: boolean) {
    return {
      jobId,
      endpoint,
      includeUsage,
      key: streamKey(this.#namespace, jobId),
      acquire: () => {
        const idle = this.#readers.pop();
        if (idle) return idle;
        const conn = duplicateWith(this.#redis, {});
        conn.on('error', () => {});
        return conn;
      },
      release: (conn: RedisClient, broken: boolean) => {
        if (!broken && this.#readers.length < IDLE_READERS && conn.status === 'ready')
          this.#readers.push(conn);
        else conn.disconnect();
      },
      outcome: async (): Promise<JobOutcome> => {
        const job = await this.findJob(jobId);
        if (!job) return { state: 'missing' };
        const state = await job.getState();
        if (state === 'completed') return { state, value: job.returnvalue as RoutedResult };
        if (state === 'failed') return { state, reason: job.failedReason ?? 'APIConnectionError: failed' };
        return { state: 'running' };
      },
    };
  }

  async #audioCall(endpoint: Endpoint, body: AudioRequest, opts: EnqueueOptions = {}): Promise<RoutedResult> {
    let file: AudioFile;
    try {
      file = audioFile(body.file, this.#maxAudioBytes);
    } catch (err) {
      throw new CompletionError(opts.jobId ?? '', `BadRequestError: ${endpoint}: ${(err as Error).message}`);
    }
    return this.#call(endpoint, { ...body, file }, opts);
  }

  async #call(
    endpoint: Endpoint,
    body: Record<string, unknown>,
    opts: EnqueueOptions = {},
  ): Promise<RoutedResult> {
    await this.ready();
    const jobId = opts.jobId ?? randomUUID();
    let options: ReturnType<typeof jobOptions>;
    try {
      options = jobOptions(jobId, body, opts);
    } catch (err) {
      throw new CompletionError(jobId, `BadRequestError: ${(err as Error).message}`);
    }
    const waiter = this.#waiterFor(jobId);
    const result = waiter.wait(jobId, opts.timeoutMs ?? this.#timeoutMs, opts.signal);
    try {
      await tracedAdd(
        this.queueFor(jobId).name,
        [{ id: jobId, name: endpoint, model: body.model }],
        opts,
        (stamp) => this.queueFor(jobId).add(endpoint, stamp(withMetadata(body, opts)), options),
      );
    } catch (err) {
      waiter.cancel(jobId, err as Error);
    }
    return (await result) as RoutedResult;
  }
}

/** Job data: the body with the options' metadata merged in and `priority` taken out (it is a job option). */
function withMetadata(body: Record<string, unknown>, opts: EnqueueOptions): Record<string, unknown> {
  const data = withoutPriority(body);
  return opts.metadata ? { ...data, metadata: { ...(data.metadata as object), ...opts.metadata } } : data;
}

function jobOptions(jobId: string, body: Record<string, unknown>, opts: EnqueueOptions) {
  const priority = opts.priority ?? bullmqPriority(body);
  return { jobId, ...(priority === undefined ? {} : { priority }) };
}
