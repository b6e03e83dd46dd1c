// The producer's trace context in a job: W3C Trace Context strings under one reserved data key, so any
// producer (the TS client, the gateway, `queue.add` from Python or Go) can continue its trace in the
// workers. Job data is untrusted: a carrier that is not well-formed is ignored, never an error, and it
// cannot influence routing; the worker reads it on every activation and never writes it.
import { type Context, createTraceState, ROOT_CONTEXT, type SpanContext, trace } from '@opentelemetry/api';

/** `data._switchyard_trace = { traceparent, tracestate? }` (W3C Trace Context header values). */
export const TRACE_KEY = '_switchyard_trace';

export interface TraceCarrier {
  /** `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`. */
  traceparent: string;
  tracestate?: string;
}

export interface TraceParent {
  traceId: string;
  spanId: string;
  /** Bit 0: sampled. */
  traceFlags: number;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
/** W3C's limit for tracestate is 32 members; 512 characters bounds what a job can make us carry. */
const MAX_TRACESTATE = 512;

/** The traceparent's fields, or undefined unless it is version 00 with non-zero ids. */
export function parseTraceparent(value: unknown): TraceParent | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TRACEPARENT.exec(value);
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16) };
}

export function formatTraceparent(p: TraceParent): string {
  return `00-${p.traceId}-${p.spanId}-${(p.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A well-formed carrier from `{traceparent, tracestate}` (job data, HTTP headers), else undefined. */
export function readTraceCarrier(value: unknown): TraceCarrier | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { traceparent, tracestate } = value as Record<string, unknown>;
  if (!parseTraceparent(traceparent)) return undefined;
  const carrier: TraceCarrier = { traceparent: traceparent as string };
  if (typeof tracestate === 'string' && tracestate.length > 0 && tracestate.length <= MAX_TRACESTATE)
    carrier.tracestate = tracestate;
  return carrier;
}

/** The carrier of a span context; undefined for the invalid context of a no-op tracer (nothing to continue). */
export function carrierOf(ctx: SpanContext): TraceCarrier | undefined {
  if (!trace.isSpanContextValid(ctx)) return undefined;
  const carrier: TraceCarrier = { traceparent: formatTraceparent(ctx) };
  const state = ctx.traceState?.serialize();
  if (state) carrier.tracestate = state;
  return carrier;
}

/** A context whose parent is the carrier's remote span; ROOT_CONTEXT (a new trace) when it is not valid. */
export function contextOf(raw: unknown): Context {
  const carrier = readTraceCarrier(raw);
  const parent = carrier && parseTraceparent(carrier.traceparent);
  if (!parent) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    ...parent,
    isRemote: true,
    ...(carrier.tracestate ? { traceState: createTraceState(carrier.tracestate) } : {}),
  });
}
