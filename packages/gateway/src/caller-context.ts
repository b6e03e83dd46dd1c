// The HTTP caller's trace, which the jobs a request adds continue (chat and the other calls, batches).
import type { IncomingMessage } from 'node:http';
import { type Context, context, trace } from '@opentelemetry/api';
import { contextOf } from '@switchyard/core';

/**
 * The active context when an HTTP instrumentation already started a server span, else the request's W3C
 * `traceparent` / `tracestate` headers.
 */
export function callerContext(req: IncomingMessage): Context {
  const active = context.active();
  if (trace.getSpan(active)) return active;
  return contextOf({ traceparent: req.headers.traceparent, tracestate: req.headers.tracestate });
}
