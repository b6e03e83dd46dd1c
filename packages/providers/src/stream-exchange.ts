// One streaming HTTP attempt: POST, check the status, then parse the body incrementally as server-sent
// events (eventsource-parser) and hand each event to the dialect's decoder. Two clocks bound it: the
// call's `timeout` for the whole answer and `stream_timeout` for the wait before each event (the first
// chunk included), so a stream that stalls mid-answer is cut and classified as Timeout.
import { SwitchyardError } from '@switchyard/core';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Chunk, ProviderRequest, ProviderStream } from './adapter.ts';
import { classifyHttpError, classifyNetworkError, type ErrorContext } from './errors.ts';
import { type AdapterEnv, callerAbort, errorContext, flatHeaders, type HttpCall } from './exchange.ts';

/** One SSE event as chunks; `end` when the dialect says the answer is complete. */
export interface Decoded {
  chunks: Chunk[];
  end?: boolean;
}
export type SseDecoder = (event: EventSourceMessage) => Decoded;

/** An SSE line longer than this (no legitimate chunk is) is a broken stream, not a buffer to grow. */
const MAX_EVENT_BYTES = 8 * 1024 * 1024;

export async function openSseStream(
  env: AdapterEnv,
  req: ProviderRequest,
  call: HttpCall,
  decode: SseDecoder,
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
    res = await env.pools.forOrigin(url.origin).request({
      method: 'POST',
      path: url.pathname + url.search,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...call.headers },
      body: JSON.stringify(call.body),
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
    const ready: (Decoded | SwitchyardError)[] = [];
    const parser = createParser({
      onEvent: (event) => {
        try {
          ready.push(decode(event));
        } catch (err) {
          ready.push(fail(err));
        }
      },
      onError: (err) => ready.push(malformed(ctx, err.message)),
      maxBufferSize: MAX_EVENT_BYTES,
    });
    const text = new TextDecoder();
    try {
      for await (const piece of body) {
        parser.feed(text.decode(piece as Buffer, { stream: true }));
        for (const item of ready.splice(0)) {
          if (item instanceof SwitchyardError) throw item;
          clearTimeout(idle);
          idle = setTimeout(() => abort('idle'), idleMs);
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
    throw malformed(ctx, 'the stream ended before its final event');
  }
  return Object.assign(chunks(), { headers });
}

function malformed(ctx: ErrorContext, reason: string): SwitchyardError {
  return new SwitchyardError('InternalServerError', `${ctx.provider}: malformed stream (${reason})`, {
    provider: ctx.provider,
    deploymentId: ctx.deploymentId,
  });
}
