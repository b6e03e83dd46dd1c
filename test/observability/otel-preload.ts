// Preloaded into worker processes by the trace test (`node --import`), as an application registers its
// OpenTelemetry SDK: every finished span is kept in an InMemorySpanExporter and appended to SPANS_FILE
// as one JSON line, for the test process to read.
import { appendFileSync } from 'node:fs';
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

const file = process.env.SPANS_FILE;
if (!file) throw new Error('otel-preload needs SPANS_FILE');

export function plainSpan(span: ReadableSpan) {
  const ctx = span.spanContext();
  return {
    name: span.name,
    kind: span.kind,
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    attributes: span.attributes,
    status: span.status,
    startMs: span.startTime[0] * 1000 + span.startTime[1] / 1e6,
    endMs: span.endTime[0] * 1000 + span.endTime[1] / 1e6,
  };
}

class FileExporter extends InMemorySpanExporter {
  override export(spans: ReadableSpan[], done: Parameters<InMemorySpanExporter['export']>[1]): void {
    for (const span of spans) appendFileSync(file!, `${JSON.stringify(plainSpan(span))}\n`);
    super.export(spans, done);
  }
}

trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new FileExporter())] }),
);
