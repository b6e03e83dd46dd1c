// One HTTP attempt: POST JSON, read the whole body, all under the attempt's deadline; every failure classified.
import { type Deployment, SwitchyardError } from '@switchyard/core';
import type { ProviderRequest } from './adapter.ts';
import { classifyHttpError, classifyNetworkError, type ErrorContext } from './errors.ts';
import type { HttpPools } from './http-pool.ts';
import { encodeMultipart } from './multipart.ts';
import { scrub } from './scrub.ts';

export interface AdapterEnv {
  pools: HttpPools;
  /** Used when the deployment sets no `timeoutMs`. */
  defaultTimeoutMs: number;
  /** Streaming calls: the wait allowed for each event when the deployment sets no `streamTimeoutMs`. */
  defaultStreamTimeoutMs?: number | undefined;
  /** Cap on audio a provider answers (`audio.speech`), in bytes. */
  maxAudioBytes: number;
}

export interface HttpCall {
  url: string;
  headers: Record<string, string>;
  /** Sent as JSON, or as multipart/form-data when it is a FormData (audio uploads). */
  body: unknown;
  /** Keep the 2xx answer's bytes (`HttpExchange.bytes`), refusing one longer than `max` (audio out). */
  binaryAnswer?: { max: number };
  /**
   * Headers that depend on the exact bytes sent or need I/O (SigV4 signatures, OAuth tokens), added last.
   * Runs under the attempt's deadline; a SwitchyardError it throws is the attempt's error.
   */
  authorize?: (url: URL, headers: Record<string, string>, body: string) => Promise<Record<string, string>>;
}

/** A completed 2xx exchange, body read in full. */
export interface HttpExchange {
  status: number;
  headers: Record<string, string>;
  /** The body as UTF-8 ('' for a binary answer). */
  text: string;
  /** The body's bytes, for calls that asked for a binary answer. */
  bytes?: Buffer;
}

/** The bytes and content type a body goes out as: JSON, or multipart for a FormData. */
async function encodeBody(body: unknown): Promise<{ payload: string | Buffer; contentType: string }> {
  if (body instanceof FormData) return encodeMultipart(body);
  return { payload: JSON.stringify(body), contentType: 'application/json' };
}

/** The whole body, or a BadRequestError as soon as it grows past `max` (a provider's audio must stay bounded). */
async function readCapped(ctx: ErrorContext, body: AsyncIterable<Buffer>, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      throw new SwitchyardError(
        'BadRequestError',
        `${ctx.provider}: the answer is larger than max_audio_bytes (${max} bytes)`,
        { provider: ctx.provider, deploymentId: ctx.deploymentId },
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `Authorization: Bearer <key>`, or nothing for a keyless deployment (a local server). */
export function bearerHeaders(d: Pick<Deployment, 'apiKey'>): Record<string, string> {
  return d.apiKey ? { authorization: `Bearer ${d.apiKey}` } : {};
}

export function errorContext(req: ProviderRequest): ErrorContext {
  return {
    provider: req.deployment.provider,
    deploymentId: req.deployment.id,
    apiKey: req.deployment.apiKey,
  };
}

export function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

async function send(
  env: AdapterEnv,
  ctx: ErrorContext,
  call: HttpCall,
  signal: AbortSignal,
): Promise<HttpExchange> {
  const url = new URL(call.url);
  const { payload: body, contentType } = await encodeBody(call.body);
  let headers: Record<string, string> = {
    'content-type': contentType,
    accept: call.binaryAnswer ? '*/*' : 'application/json',
    ...call.headers,
  };
  if (call.authorize && typeof body === 'string')
    headers = { ...headers, ...(await untilAborted(call.authorize(url, headers, body), signal)) };
  const res = await env.pools.forOrigin(url.origin).request({
    method: 'POST',
    path: url.pathname + url.search,
    headers,
    body,
    signal,
  });
  // The deadline covers the whole body, so a server that sends headers and then drips or hangs still times out.
  const ok = res.statusCode >= 200 && res.statusCode < 300;
  const resHeaders = flatHeaders(res.headers);
  if (ok && call.binaryAnswer) {
    const bytes = await readCapped(ctx, res.body, call.binaryAnswer.max);
    return { status: res.statusCode, headers: resHeaders, text: '', bytes };
  }
  const text = await res.body.text();
  if (!ok) throw classifyHttpError(ctx, res.statusCode, resHeaders, text);
  return { status: res.statusCode, headers: resHeaders, text };
}

/** A credential lookup (instance metadata, token endpoint) must not outlive the attempt's deadline. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Run one attempt with its deadline: `deployment.timeoutMs` (else the default) combined with the caller's
 * signal. `read` turns the exchange into the result and may throw classified errors of its own.
 */
export async function exchange<T>(
  env: AdapterEnv,
  req: ProviderRequest,
  call: HttpCall,
  read: (ex: HttpExchange) => T,
): Promise<T> {
  const ctx = errorContext(req);
  const timeoutMs = req.deployment.timeoutMs ?? env.defaultTimeoutMs;
  // Same effect as AbortSignal.any([req.signal, AbortSignal.timeout(ms)]), but the timer and the listener on a
  // possibly worker-long caller signal are released as soon as the attempt ends, not left to the GC.
  const attempt = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    attempt.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  const onCallerAbort = () => attempt.abort(req.signal.reason);
  if (req.signal.aborted) onCallerAbort();
  else req.signal.addEventListener('abort', onCallerAbort, { once: true });
  const origin = new URL(call.url).origin;
  try {
    return read(await send(env, ctx, call, attempt.signal));
  } catch (err) {
    if (err instanceof SwitchyardError) throw err;
    if (timedOut) {
      throw new SwitchyardError(
        'Timeout',
        `${ctx.provider}: request timed out after ${timeoutMs} ms calling ${origin}`,
        {
          provider: ctx.provider,
          deploymentId: ctx.deploymentId,
        },
      );
    }
    if (req.signal.aborted) throw callerAbort(ctx, req.signal.reason, origin);
    throw classifyNetworkError(ctx, err, origin);
  } finally {
    clearTimeout(timer);
    req.signal.removeEventListener('abort', onCallerAbort);
  }
}

/**
 * The caller aborted: a classified reason is kept as is, a TimeoutError (e.g. `AbortSignal.timeout`) is the
 * attempt's timeout, anything else (shutdown) is a connection-level failure the planner may retry.
 */
export function callerAbort(ctx: ErrorContext, reason: unknown, origin: string): SwitchyardError {
  if (reason instanceof SwitchyardError) return reason;
  const opts = { provider: ctx.provider, deploymentId: ctx.deploymentId };
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new SwitchyardError('Timeout', `${ctx.provider}: attempt timed out calling ${origin}`, opts);
  }
  const why = reason instanceof Error ? reason.message : String(reason ?? 'aborted');
  return new SwitchyardError(
    'APIConnectionError',
    scrub(`${ctx.provider}: request aborted (${why}) calling ${origin}`, [ctx.apiKey]),
    opts,
  );
}
