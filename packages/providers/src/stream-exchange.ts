// One streaming HTTP attempt, whatever the wire format: POST, check the status, then cut the body into events
// as it arrives (a Framing) and hand each to the dialect's decoder. Two clocks bound it: the call's `timeout`
// for the whole answer and `stream_timeout` for the wait before each event (the first chunk included), so a
// stream that stalls mid-answer is cut and classified as Timeout.
import { SwitchyardError } from '@switchyard/core';
import type { Chunk, ProviderRequest, ProviderStream } from './adapter.ts';
import { classifyHttpError, classifyNetworkError, type ErrorContext } from './errors.ts';
import {
  type AdapterEnv,
  callerAbort,
  errorContext,
  flatHeaders,
  type HttpCall,
  untilAborted,
} from './exchange.ts';
import type { Framing } from './stream-framing.ts';

/** One event as chunks; `end` when the dialect says the answer is complete. */
export interface Decoded {
  chunks: Chunk[];
  end?: boolean;
}
export type StreamDecoder<F> = (event: F) => Decoded;

export interface StreamFormat<F> {
  /** The `accept` header the provider expects for this format. */
  accept: string;
  framing: () => Framing<F>;
  decode: StreamDecoder<F>;
}

function hasFinish(chunk: Chunk): boolean {
  const choices = Array.isArray(chunk.choices) ? (chunk.choices as Record<string, unknown>[]) : [];
  return choices.some((c) => c?.finish_reason !== null && c?.finish_reason !== undefined);
}

export async function openStream<F>(
  env: AdapterEnv,
  req: ProviderRequest,
  call: HttpCall,
  format: StreamFormat<F>,
): Promise<ProviderStream> {
  const ctx = errorContext(req);
  const timeoutMs = req.deployment.timeoutMs ?? env.defaultTimeoutMs;
  const idleMs = Math.min(
    req.deployment.streamTimeoutMs ?? env.defaultStreamTimeoutMs ?? timeoutMs,
    timeoutMs,
  );
  const url = new URL(call.url);
  const controller = new AbortController();
  let cut: 'total' | 'idle' | undefined;
  const total = setTimeout(() => abort('total'), timeoutMs);
  let idle = setTimeout(() => abort('idle'), idleMs);
  function abort(why: 'total' | 'idle') {
    cut = why;
    controller.abort(new DOMException(`${why} timeout`, 'TimeoutError'));
  }
  const onCallerAbort = () => controller.abort(req.signal.reason);
  if (req.signal.aborted) onCallerAbort();
  else req.signal.addEventListener('abort', onCallerAbort, { once: true });
  const release = () => {
    clearTimeout(total);
    clearTimeout(idle);
    req.signal.removeEventListener('abort', onCallerAbort);
  };
  const fail = (err: unknown): SwitchyardError => {
    if (err instanceof SwitchyardError) return err;
    const opts = { provider: ctx.provider, deploymentId: ctx.deploymentId };
    if (cut === 'total')
      return new SwitchyardError(
        'Timeout',
        `${ctx.provider}: stream exceeded its timeout of ${timeoutMs} ms`,
        opts,
      );
    if (cut === 'idle')
      return new SwitchyardError(
        'Timeout',
        `${ctx.provider}: stream stalled, no event within stream_timeout of ${idleMs} ms calling ${url.origin}`,
        opts,
      );
    if (req.signal.aborted) return callerAbort(ctx, req.signal.reason, url.origin);
    return classifyNetworkError(ctx, err, url.origin);
  };

  let res: Awaited<ReturnType<ReturnType<AdapterEnv['pools']['forOrigin']>['request']>>;
  let headers: Record<string, string>;
  try {
    const text = JSON.stringify(call.body);
    let sent: Record<string, string> = {
      'content-type': 'application/json',
      accept: format.accept,
      ...call.headers,
    };
    // Signed or token-bearing calls (Bedrock, Vertex) sign the exact bytes and headers sent.
    if (call.authorize)
      sent = { ...sent, ...(await untilAborted(call.authorize(url, sent, text), controller.signal)) };
    res = await env.pools.forOrigin(url.origin).request({
      method: 'POST',
      path: url.pathname + url.search,
      headers: sent,
      body: text,
      signal: controller.signal,
    });
    headers = flatHeaders(res.headers);
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw classifyHttpError(ctx, res.statusCode, headers, await res.body.text());
    }
  } catch (err) {
    release();
    throw fail(err);
  }
  const body = res.body;

  async function* chunks(): AsyncGenerator<Chunk> {
    const framing = format.framing();
    let finished = false;
    try {
      for await (const piece of body) {
        let events: F[];
        try {
          events = framing.feed(piece as Uint8Array);
        } catch (err) {
          throw malformed(ctx, (err as Error).message);
        }
        for (const event of events) {
          const item = format.decode(event);
          clearTimeout(idle);
          idle = setTimeout(() => abort('idle'), idleMs);
          for (const c of item.chunks) if (hasFinish(c)) finished = true;
          yield* item.chunks;
          if (item.end) return;
        }
      }
    } catch (err) {
      throw fail(err);
    } finally {
      release();
      // An early return (end event, consumer stopped) leaves the socket mid-body: drop it.
      if (!body.readableEnded) body.destroy();
    }
    // Formats without an end event (Gemini) end with the body; any answer must at least have said it finished.
    if (!finished) throw malformed(ctx, 'the stream ended before its final event');
  }
  return Object.assign(chunks(), { headers });
}

function malformed(ctx: ErrorContext, reason: string): SwitchyardError {
  return new SwitchyardError('InternalServerError', `${ctx.provider}: malformed stream (${reason})`, {
    provider: ctx.provider,
    deploymentId: ctx.deploymentId,
  });
}
