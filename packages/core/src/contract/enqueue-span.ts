// The producer's side of a trace: one `send <queue>` span (OpenTelemetry messaging conventions) around
// adding jobs, and its context written into each job's data (TRACE_KEY) so the workers continue the trace.
// Only @opentelemetry/api: without an SDK registered by the application the span is a no-op, and the
// job carries a context only when there is one to continue (a recording span or an active parent).
// Here rather than in the client because batches (packages/batch, below the client) add jobs too.
import { type Attributes, type Context, context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { carrierOf, TRACE_KEY } from './trace-context.ts';

const tracer = trace.getTracer('@switchyard/client');

/** Which trace the added jobs continue. */
export interface ProducerParent {
  /** @defaultValue the active context; with no SDK registered, none. */
  traceContext?: Context | undefined;
}

/**
 * Runs `add` inside a producer span (child of `parent.traceContext`, else of the active context); `stamp`
 * gives each job's data with the span's context in it.
 * `model` is the requested model group (GenAI's `gen_ai.request.model`).
 */
export async function tracedAdd<T>(
  queueName: string,
  jobs: { id: string; name: string; model: unknown }[],
  parent: ProducerParent,
  add: (stamp: (data: Record<string, unknown>) => Record<string, unknown>) => Promise<T>,
): Promise<T> {
  const single = jobs.length === 1 ? jobs[0] : undefined;
  const attributes: Attributes = {
    'messaging.system': 'bullmq',
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'send',
    'messaging.destination.name': queueName,
    ...(single
      ? {
          'messaging.message.id': single.id,
          'switchyard.job.name': single.name,
          ...(typeof single.model === 'string' ? { 'gen_ai.request.model': single.model } : {}),
        }
      : { 'messaging.batch.message_count': jobs.length }),
  };
  const span = tracer.startSpan(
    `send ${queueName}`,
    { kind: SpanKind.PRODUCER, attributes },
    parent.traceContext ?? context.active(),
  );
  const carrier = carrierOf(span.spanContext());
  const stamp = (data: Record<string, unknown>) => (carrier ? { ...data, [TRACE_KEY]: carrier } : data);
  try {
    return await add(stamp);
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}
