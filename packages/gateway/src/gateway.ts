// The OpenAI-compatible front door: one HTTP request becomes one queued job, answered with the job's
// result (or its taxonomy error) once a worker has routed it. The gateway keeps no routing state.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BatchService, Caller, ExpiringOwners } from '@switchyard/batch';
import {
  type AudioRequest,
  CompletionError,
  type EnqueueOptions,
  type RoutedResult,
  type SpeechAudio,
  type SwitchyardClient,
  WaitTimeoutError,
} from '@switchyard/client';
import type { Endpoint, SwitchyardConfig } from '@switchyard/core';
import { CodedError, DEFAULT_MAX_AUDIO_BYTES, ENDPOINTS, ERROR_CODES, isEndpoint } from '@switchyard/core';
import { batchApiError } from './api-error.ts';
import type { ApiHandler } from './api-route.ts';
import { isMultipart, readAudioForm } from './audio-form.ts';
import { bearerKey, bearerKeyCheck, isMasterKey, keyHash } from './auth.ts';
import { batchesRoute } from './batches-api.ts';
import { callerContext } from './caller-context.ts';
import { stampCallerMetadata } from './caller-metadata.ts';
import { filesRoute } from './files-api.ts';
import { isMetricsPath, type MetricsSource, serveMetrics } from './metrics-route.ts';
import { modelAdminRoute } from './model-admin.ts';
import { serveModels } from './models-api.ts';
import { gatewayError, type HttpError, taxonomyError } from './openai-error.ts';
import { isJsonContentType, readJsonBody } from './read-body.ts';
import { JOB_ID_HEADER, routingHeaders, sendAnswer, sendError, sendJson } from './reply.ts';
import { resolveRoute } from './routes.ts';
import { resumeFrom, type StreamResume, serveStream } from './stream-reply.ts';
import { type DashboardSource, uiRoute, unauthorized } from './ui-route.ts';
import { viewerAuth } from './viewer-auth.ts';

/** The subset of pino's API the gateway uses, so any pino logger (or none) fits. */
export interface GatewayLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface GatewayOptions {
  client: SwitchyardClient;
  /** When non-empty, every route but the health probes requires `Authorization: Bearer <key>`. */
  apiKeys?: string[];
  logger?: GatewayLogger;
  /** Default 16 MiB: enough for base64 images in chat messages, small enough to refuse floods. */
  maxBodyBytes?: number;
  /** How long a request waits for its job before answering 504 (the job keeps running). Default: the client's. */
  timeoutMs?: number;
  /** Bound on the readiness probe's Redis PING. Default 2 s. */
  readinessTimeoutMs?: number;
  /** Serves /v1/files and /v1/batches. Default: the client's (`client.batches`). */
  batches?: BatchService;
  /** LiteLLM's `general_settings.master_key`: a valid API key that may also read any job. */
  masterKey?: string;
  /** Remembers which key created each job, so `GET /v1/jobs/<id>` answers only that key. */
  owners?: ExpiringOwners;
  /** Requests allowed to wait for results or read a stream at once; more are answered 503. @defaultValue 10000 */
  maxWaiting?: number;
  /** Serves `GET /metrics` when given (the fleet's Prometheus metrics). */
  metrics?: MetricsSource;
  /**
   * Keys that may only look: `/metrics` and the `/ui` dashboard (as may the master key); they are not API
   * keys. On a gateway with any key, looking needs one of them.
   */
  readOnlyKeys?: string[];
  /**
   * LiteLLM's `require_auth_for_metrics_endpoint`. Switchyard's default is true: on a gateway with keys,
   * `/metrics` needs the master key or a read-only key; false lets any scraper in. @defaultValue true
   */
  metricsAuth?: boolean;
  /** Serves the `/ui` dashboard's data when given. */
  dashboard?: DashboardSource;
  /** The workers' config: `GET /v1/models` lists its aliases (and its groups when Redis holds no list). */
  config?: SwitchyardConfig;
  /** Audio uploads above this are refused with 400. @defaultValue the config's max_audio_bytes, else 25 MiB */
  maxAudioBytes?: number;
}

export interface Gateway {
  /** A `node:http` request listener: `http.createServer(gateway.handle)` or mount it in your own server. */
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Requests currently waiting for a job's result. */
  readonly waiting: number;
  /** Answer every waiting request with 503 naming its job id (used when a drain period runs out). */
  releaseWaiting(): void;
}

type Call = (
  client: SwitchyardClient,
  body: Record<string, unknown>,
  opts: EnqueueOptions,
) => Promise<RoutedResult | SpeechAudio>;

const CALLS: Readonly<Record<Endpoint, Call>> = {
  'chat.completions': (c, body, opts) => c.completion(body, opts),
  completions: (c, body, opts) => c.textCompletion(body, opts),
  embeddings: (c, body, opts) => c.embedding(body, opts),
  'images.generations': (c, body, opts) => c.imageGeneration(body, opts),
  'audio.transcriptions': (c, body, opts) => c.transcription(body as AudioRequest, opts),
  'audio.translations': (c, body, opts) => c.translation(body as AudioRequest, opts),
  'audio.speech': (c, body, opts) => c.speech(body, opts),
  moderations: (c, body, opts) => c.moderation(body, opts),
  rerank: (c, body, opts) => c.rerank(body, opts),
};

const NOOP_LOGGER: GatewayLogger = { debug() {}, warn() {}, error() {} };

/** Thrown into waiting requests by `releaseWaiting()`. */
class ReleasedError extends CodedError {
  constructor(message = 'released') {
    super(ERROR_CODES.gatewayReleased, message);
  }
}

export function createGateway(opts: GatewayOptions): Gateway {
  const { client } = opts;
  const logger = opts.logger ?? NOOP_LOGGER;
  const maxBodyBytes = opts.maxBodyBytes ?? 16 * 1024 * 1024;
  const keyCheck = bearerKeyCheck([...(opts.apiKeys ?? []), ...(opts.masterKey ? [opts.masterKey] : [])]);
  const readOnlyKeys = opts.readOnlyKeys ?? [];
  const viewer = viewerAuth(
    [opts.masterKey, ...readOnlyKeys],
    keyCheck !== undefined || readOnlyKeys.some((k) => k.length > 0),
  );
  const maxWaiting = opts.maxWaiting ?? 10_000;
  const maxAudioBytes =
    opts.maxAudioBytes ?? opts.config?.switchyard.maxAudioBytes ?? DEFAULT_MAX_AUDIO_BYTES;
  const waiting = new Set<(err: Error) => void>();

  async function call(
    endpoint: Endpoint,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<string | undefined> {
    const upload = ENDPOINTS[endpoint].upload;
    const contentType = req.headers['content-type'];
    if (upload ? !isMultipart(contentType) : !isJsonContentType(contentType)) {
      res.setHeader('connection', 'close');
      const wanted = upload ? 'multipart/form-data (OpenAI audio uploads)' : 'application/json';
      sendError(res, gatewayError(415, `request bodies must be ${wanted}`));
      return undefined;
    }
    if (overCapacity(res)) return undefined;
    const read = upload ? await readAudioForm(req, maxAudioBytes) : await readJsonBody(req, maxBodyBytes);
    if (!read.ok) {
      // The unread remainder of a refused body is not worth receiving.
      res.setHeader('connection', 'close');
      sendError(res, read.error);
      return undefined;
    }
    // A streamed answer resumed with Last-Event-ID: its owner only, no new job.
    const resume = read.body.stream === true ? resumeFrom(req) : undefined;
    if (resume) return streamJob(resume, endpoint, req, res);
    // Our own id, so a timeout or a failure can still tell the caller which job to look up later.
    const jobId = randomUUID();
    const key = bearerKey(req.headers);
    await opts.owners?.record(jobId, callerOf(req).owner);
    stampCallerMetadata(read.body, keyCheck ? key : undefined, req.headers);
    if (read.body.stream === true) {
      const start = { body: read.body, jobId, traceContext: callerContext(req) };
      return counted((shutdown) => serveStream({ client, endpoint, start, res, onQueueError, shutdown }));
    }
    // A caller that hangs up stops waiting: its waiter is freed, the job goes on (fetch it by id).
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort(new ReleasedError('caller disconnected'));
    });
    const callOpts: EnqueueOptions = {
      jobId,
      traceContext: callerContext(req),
      signal: gone.signal,
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    };
    const pending = CALLS[endpoint](client, read.body, callOpts);
    let release: ((err: Error) => void) | undefined;
    const released = new Promise<never>((_, reject) => {
      release = reject;
    });
    waiting.add(release!);
    try {
      const result = await Promise.race([pending, released]);
      sendAnswer(
        res,
        result,
        routingHeaders(jobId, Buffer.isBuffer(result) ? { routing: result.routing } : result),
      );
    } catch (err) {
      // The losing side of the race may still reject later; it has nobody left to tell.
      pending.catch(() => {});
      sendError(res, errorFor(err, jobId, logger), { [JOB_ID_HEADER]: jobId });
    } finally {
      waiting.delete(release!);
    }
    return jobId;
  }

  const onQueueError = (e: unknown, id: string) => errorFor(e, id, logger);

  /** 503 at once when `maxWaiting` requests (plain waits and open streams) are already held. */
  function overCapacity(res: ServerResponse): boolean {
    if (waiting.size < maxWaiting) return false;
    res.setHeader('connection', 'close');
    sendError(
      res,
      gatewayError(503, 'too many requests waiting; retry shortly', 'service_unavailable_error'),
      { 'retry-after': '1' },
    );
    return true;
  }

  /**
   * A streamed reply counts as a waiting request: it holds a connection and a Redis reader for as long as the
   * answer takes, so it is bounded by `maxWaiting`, and `releaseWaiting()` (shutdown) ends it cleanly.
   */
  async function counted(serve: (shutdown: AbortSignal) => Promise<string>): Promise<string> {
    const shutdown = new AbortController();
    const release = (err: Error) => shutdown.abort(err);
    waiting.add(release);
    try {
      return await serve(shutdown.signal);
    } finally {
      waiting.delete(release);
    }
  }

  /** Whether this caller may read job `id`: its owner or the master key (anyone without keys). */
  async function mayRead(id: string, req: IncomingMessage): Promise<boolean> {
    const caller = callerOf(req);
    return caller.admin || ((await opts.owners?.mayAccess(caller, id)) ?? false);
  }

  /** A job's stream from the start or after a chunk; someone else's job is answered as unknown. */
  async function streamJob(
    resume: StreamResume,
    endpoint: Endpoint,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<string | undefined> {
    if (!(await mayRead(resume.jobId, req))) {
      sendError(
        res,
        gatewayError(404, `no job ${resume.jobId} (unknown, or its result has expired)`, 'not_found_error'),
      );
      return undefined;
    }
    return counted((shutdown) =>
      serveStream({ client, endpoint, start: { resume }, res, onQueueError, shutdown }),
    );
  }

  async function job(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const allowed = await mayRead(id, req);
    const stored = allowed ? await client.findJob(id) : undefined;
    // Someone else's job is answered exactly like a job that does not exist.
    if (!stored) {
      sendError(
        res,
        gatewayError(404, `no job ${id} (unknown, or its result has expired)`, 'not_found_error'),
      );
      return;
    }
    try {
      const result = await client.result(id, { wait: false });
      if (result) {
        sendJson(res, 200, result, routingHeaders(id, result));
        return;
      }
      const status = await stored.getState();
      sendJson(res, 202, { id, object: 'switchyard.job', status }, { [JOB_ID_HEADER]: id });
    } catch (err) {
      sendError(res, errorFor(err, id, logger), { [JOB_ID_HEADER]: id });
    }
  }

  async function readiness(res: ServerResponse): Promise<void> {
    const limit = opts.readinessTimeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      // A real round trip to every shard through the queues' own connection: what enqueueing needs to work.
      const counts = await Promise.race([
        client.getJobCounts('waiting'),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no PONG within ${limit} ms`)), limit);
        }),
      ]);
      sendJson(res, 200, { status: 'ready', redis: 'ok', waiting: counts.waiting });
    } catch (err) {
      // The cause (hosts, ports) is for the operator's log, not for whoever can reach the probe.
      logger.warn({ err: (err as Error).message }, 'readiness: queue unreachable');
      sendJson(res, 503, { status: 'unavailable', redis: 'unreachable' });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Whose jobs, files and batches this caller works with: its key's hash. The master key (and anyone on a
   * gateway without keys) sees every object.
   */
  function callerOf(req: IncomingMessage): Caller {
    const key = bearerKey(req.headers);
    const admin = !keyCheck || isMasterKey(req.headers, opts.masterKey);
    return { admin, ...(keyCheck && key !== undefined ? { owner: keyHash(key) } : {}) };
  }

  /** Files and Batch API paths (with or without `/v1`), served by the batch store. */
  function apiRoute(req: IncomingMessage, pathname: string, query: URLSearchParams) {
    const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
    const bare = path.startsWith('/v1/') ? path.slice(3) : path;
    if (!/^\/(files|batches)(\/|$)/.test(bare)) return undefined;
    const batches = opts.batches ?? client.batches;
    const method = req.method ?? 'GET';
    const caller = callerOf(req);
    return (
      filesRoute(batches, caller, method, bare, query) ?? batchesRoute(batches, caller, method, bare, query)
    );
  }

  async function serveApi(handler: ApiHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await handler(req, res);
    } catch (err) {
      const refusal = batchApiError(err);
      if (refusal) {
        sendError(res, refusal);
        return;
      }
      logger.error({ err: (err as Error).message }, 'batch store unavailable');
      sendError(res, queueUnavailable());
    }
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://gateway');
    if (opts.metrics && isMetricsPath(pathname)) {
      if (opts.metricsAuth !== false && !viewer.allows(req.headers)) sendError(res, unauthorized());
      else await serveMetrics(opts.metrics, req.method ?? 'GET', res);
      return undefined;
    }
    const ui = uiRoute(req.method ?? 'GET', pathname, viewer, opts.dashboard);
    if (ui) {
      await ui(req, res);
      return undefined;
    }
    const admin = modelAdminRoute(client, opts.masterKey, req.method ?? 'GET', pathname, searchParams);
    if (admin && (await admin(req, res)) !== false) return undefined;
    const api = apiRoute(req, pathname, searchParams);
    const route = api ? undefined : resolveRoute(req.method ?? 'GET', pathname);
    if (!api && !route) {
      sendError(res, gatewayError(404, `unknown route ${req.method} ${pathname}`, 'not_found_error'));
      return undefined;
    }
    if (route?.kind === 'health') {
      sendJson(res, 200, { status: 'ok' });
      return undefined;
    }
    if (route?.kind === 'readiness') {
      await readiness(res);
      return undefined;
    }
    // A known path asked with another method: one 405, with the methods it takes in `Allow` (RFC 9110), before
    // the key check: a path's methods are the public API's shape, not a secret.
    const matched = typeof api === 'function' ? undefined : (api ?? route);
    if (matched?.kind === 'wrong-method') {
      sendError(res, gatewayError(405, `${pathname} accepts ${matched.allow} only`), {
        allow: matched.allow,
      });
      return undefined;
    }
    if (keyCheck && !keyCheck(req.headers)) {
      sendError(
        res,
        gatewayError(
          401,
          'missing or invalid API key (Authorization: Bearer <key>)',
          'authentication_error',
          'invalid_api_key',
        ),
      );
      return undefined;
    }
    if (typeof api === 'function') {
      await serveApi(api, req, res);
      return undefined;
    }
    if (!route || route.kind === 'wrong-method') return undefined;
    if (route.kind === 'models') {
      await serveModels(client, opts.config, route.id, res);
      return undefined;
    }
    if (route.kind === 'job') {
      await job(route.id, req, res);
      return route.id;
    }
    if (route.kind === 'job-stream') {
      if (overCapacity(res)) return undefined;
      const after = resumeFrom(req)?.after ?? searchParams.get('after') ?? undefined;
      // The job's name says which chunks a finished answer is rebuilt as (chat or text completion).
      const name = (await client.findJob(route.id).catch(() => undefined))?.name;
      const endpoint = name !== undefined && isEndpoint(name) ? name : 'chat.completions';
      return streamJob({ jobId: route.id, ...(after ? { after } : {}) }, endpoint, req, res);
    }
    return call(route.endpoint, req, res);
  }

  return {
    handle(req, res) {
      const started = Date.now();
      dispatch(req, res).then(
        (jobId) => {
          // Access log without headers or bodies: keys and prompts never reach the log.
          const entry = {
            method: req.method,
            path: req.url,
            status: res.statusCode,
            jobId,
            ms: Date.now() - started,
          };
          if (res.statusCode >= 500) logger.warn(entry, 'request failed');
          else logger.debug(entry, 'request');
        },
        (err: Error) => {
          logger.error({ method: req.method, path: req.url, err: err.message }, 'gateway error');
          sendError(res, gatewayError(500, 'internal gateway error', 'server_error'));
        },
      );
    },
    get waiting() {
      return waiting.size;
    },
    releaseWaiting() {
      for (const release of waiting) release(new ReleasedError());
    },
  };
}

/** What a waiting caller is told when its job did not simply succeed. */
function errorFor(err: unknown, jobId: string, logger: GatewayLogger): HttpError {
  if (err instanceof CompletionError) return taxonomyError(err.type, err.message);
  const later = `the job keeps running: fetch its result with GET /v1/jobs/${jobId}`;
  if (err instanceof WaitTimeoutError) {
    return gatewayError(
      504,
      `no result for job ${jobId} in time; ${later}`,
      'timeout_error',
      'gateway_timeout',
    );
  }
  if (err instanceof ReleasedError) {
    return gatewayError(503, `the gateway is shutting down; ${later}`, 'service_unavailable_error');
  }
  // Anything else comes from the queue itself (Redis unreachable while enqueueing or reading): the
  // cause goes to the log, never to the caller (it names internal hosts).
  logger.error({ jobId, err: (err as Error).message }, 'queue unavailable');
  return queueUnavailable();
}

function queueUnavailable(): HttpError {
  return gatewayError(503, 'queue unavailable; retry shortly', 'service_unavailable_error');
}
