// The worker's side of a trace. Each activation of a job is one CONSUMER span (`process <queue>`) whose
// parent is the producer's context from the job's data (TRACE_KEY), so every activation — first run,
// retries after a backoff, fallbacks, capacity waits — joins the producer's trace. Each settled attempt,
// read from the pipeline's observations, adds its spans afterwards with their real start and end times:
// `route <group>` (pick and reserve) and the provider call (`chat <model>`, GenAI conventions).
// A batch's own jobs (finalize, expire) are activations too, in the trace the batch was created under, ended
// with the batch's status and counts (`run`'s describe); every span of a batch carries its id.
// Only @opentelemetry/api: with no SDK registered (or a sampler that drops the activation) nothing is built —
// no span, no attributes — so `callbacks: ["otel"]` costs a job one check (issue 12's overhead budget).
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { contextOf, TRACE_KEY } from '@switchyard/core';
import { DelayedError, UnrecoverableError } from 'bullmq';
import type { JobObservation, Observer } from '../observation.ts';
import { genAiAttributes, genAiSpanName } from './gen-ai.ts';
import { tracerProviderRegistered } from './otel-export.ts';

/** What the tracer reads of a BullMQ job. */
export interface TracedJob {
  id?: string | undefined;
  name: string;
  data: unknown;
  attemptsStarted: number;
}

export interface Activation {
  /**
   * Ends the activation's span: `err` is what the processor threw (a DelayedError means it parked);
   * `attributes` describe what it returned.
   */
  end(err?: unknown, attributes?: Attributes): void;
}

interface Open {
  span: Span;
  context: Context;
  /** When the stage that produced the next observation began (the previous one's end). */
  sinceMs: number;
  last?: JobObservation;
}

const NOOP_ACTIVATION: Activation = { end() {} };

export class JobTracer {
  readonly #tracer = trace.getTracer('@switchyard/worker');
  readonly #queueName: string;
  readonly #open = new Map<string, Open>();

  constructor(opts: { queueName: string }) {
    this.#queueName = opts.queueName;
  }

  begin(job: TracedJob): Activation {
    const id = job.id;
    // Checked per job: an SDK may register its provider after this tracer was built (startOtelExport).
    if (id === undefined || !tracerProviderRegistered()) return NOOP_ACTIVATION;
    const data = job.data as Record<string, unknown> | null;
    const model = data?.model;
    const batchId = batchIdOf(data);
    const span = this.#tracer.startSpan(
      `process ${this.#queueName}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'bullmq',
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.destination.name': this.#queueName,
          'messaging.message.id': id,
          'switchyard.job.name': job.name,
          'switchyard.job.activation': job.attemptsStarted,
          ...(typeof model === 'string' ? { 'gen_ai.request.model': model } : {}),
          ...(batchId !== undefined ? { 'switchyard.batch.id': batchId } : {}),
        },
      },
      contextOf(data?.[TRACE_KEY]),
    );
    // Sampled out: its route and call spans would be dropped with it, so none are built.
    if (!span.isRecording()) return { end: () => span.end() };
    const open: Open = { span, context: trace.setSpan(ROOT_CONTEXT, span), sinceMs: Date.now() };
    this.#open.set(id, open);
    return {
      end: (err, attributes) => {
        this.#open.delete(id);
        if (attributes) span.setAttributes(attributes);
        endActivation(open, err);
      },
    };
  }

  /**
   * Runs `work` as the job's activation: its span ends with what `work` returned or threw, and `describe`
   * adds attributes read from the returned value (a batch job's status and counts).
   */
  async run<T>(job: TracedJob, work: () => Promise<T>, describe?: (value: T) => Attributes): Promise<T> {
    const activation = this.begin(job);
    let value: T;
    try {
      value = await work();
    } catch (err) {
      activation.end(err);
      throw err;
    }
    activation.end(undefined, describe?.(value));
    return value;
  }

  /** The pipeline's observer: the attempt's spans under the activation that made it. */
  readonly observe: Observer = (o) => {
    const open = this.#open.get(o.jobId);
    if (!open) return;
    open.last = o;
    const t = this.#tracer;
    if (o.kind === 'cache_hit') {
      open.span.setAttributes({
        'switchyard.cache_hit': true,
        'switchyard.deployment.id': o.deploymentId,
        ...(o.model ? { 'gen_ai.response.model': o.model } : {}),
      });
      open.sinceMs = o.atMs;
      return;
    }
    const routedUntil = o.kind === 'call' ? o.startMs : o.atMs;
    const route = t.startSpan(
      `route ${o.group}`,
      {
        startTime: Math.min(open.sinceMs, routedUntil),
        attributes: {
          'switchyard.model_group': o.group,
          'switchyard.attempt': o.attemptIndex,
          ...(o.kind === 'call' ? { 'switchyard.deployment.id': o.deployment.id } : {}),
          ...(o.kind === 'saturated'
            ? { 'switchyard.saturated': o.reason, 'switchyard.wake_at_ms': o.wakeAtMs }
            : {}),
        },
      },
      open.context,
    );
    if (o.kind === 'refused') {
      route.setAttribute('error.type', o.error.type);
      route.setStatus({ code: SpanStatusCode.ERROR, message: o.error.message });
    }
    route.end(routedUntil);
    if (o.kind === 'call') {
      const call = t.startSpan(
        genAiSpanName(o),
        { kind: SpanKind.CLIENT, startTime: o.startMs, attributes: genAiAttributes(o) },
        open.context,
      );
      if (o.error)
        call.setStatus({ code: SpanStatusCode.ERROR, message: `${o.error.type}: ${o.error.message}` });
      call.end(o.endMs);
      open.sinceMs = o.endMs;
    } else open.sinceMs = o.atMs;
  };
}

/** The batch a job belongs to: a batch's own jobs carry `batchId`, its requests `metadata.batch_id`. */
function batchIdOf(data: Record<string, unknown> | null): string | undefined {
  const metadata = data?.metadata as Record<string, unknown> | null | undefined;
  const id = data?.batchId ?? metadata?.batch_id;
  return typeof id === 'string' ? id : undefined;
}

function endActivation(open: Open, err: unknown): void {
  const { span, last } = open;
  if (last) {
    span.setAttributes({
      'switchyard.model_group': last.group,
      'switchyard.requested_model': last.requestedGroup,
      'switchyard.next_action': last.next.action,
    });
  }
  if (err instanceof DelayedError) {
    span.setAttribute('switchyard.next_action', 'park');
  } else if (err !== undefined) {
    // UnrecoverableError carries the job's failedReason; anything else escaped the stages.
    const message = (err as Error).message;
    span.setAttribute('error.type', message.split(':')[0] || 'Error');
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    if (!(err instanceof UnrecoverableError)) span.recordException(err as Error);
  }
  span.end();
}
