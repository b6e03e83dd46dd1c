// A stand-in OpenTelemetry collector for tests: a real HTTP server on loopback that takes OTLP/HTTP trace
// exports in either encoding — JSON (exporter-trace-otlp-http) or protobuf (exporter-trace-otlp-proto) —
// and keeps every span it received with the request that carried it, decoded to one shape, so a test
// asserts the same things whichever encoding a process was told to send.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

/** One span as the collector received it, attributes decoded from OTLP's `AnyValue`s, ids in hex. */
export interface ReceivedSpan {
  path: string;
  headers: IncomingHttpHeaders;
  /** Read from the request's content-type. */
  encoding: 'json' | 'protobuf';
  scope: string;
  name: string;
  /** OTLP's SpanKind enum (the API's plus one): server 2, client 3, producer 4, consumer 5. */
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
}

/** One export request as it arrived (the body unzipped), for what the decoded spans cannot show. */
export interface ReceivedExport {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface OtlpCollector {
  /** `http://127.0.0.1:<port>`: give it as OTEL_EXPORTER_OTLP_ENDPOINT (the exporters add `/v1/traces`). */
  url: string;
  spans: ReceivedSpan[];
  exports: ReceivedExport[];
  close(): Promise<void>;
}

// The part of OTLP's trace schema (opentelemetry-proto: collector/trace/v1 and the messages it uses) that
// the tests read. Field numbers are OTLP's wire contract; fields left out are skipped when decoding.
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { repeated ScopeSpans scope_spans = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message InstrumentationScope { string name = 1; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  repeated KeyValue attributes = 9;
}
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
`;

let requestType: protobuf.Type | undefined;

/** The request decoded into OTLP's JSON mapping (camelCase fields, hex ids), so one reader serves both. */
function fromProtobuf(body: Buffer): { resourceSpans?: any[] } {
  requestType ??= protobuf.parse(OTLP_TRACE_PROTO).root.lookupType('otlp.ExportTraceServiceRequest');
  const request = requestType.toObject(requestType.decode(body), { longs: Number, arrays: true });
  for (const rs of request.resourceSpans)
    for (const ss of rs.scopeSpans ?? [])
      for (const span of ss.spans ?? [])
        for (const id of ['traceId', 'spanId', 'parentSpanId'])
          span[id] = span[id] ? Buffer.from(span[id]).toString('hex') : '';
  return request;
}

function anyValue(v: Record<string, unknown>): unknown {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v)
    return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(anyValue);
  return v;
}

export async function startOtlpCollector(): Promise<OtlpCollector> {
  const spans: ReceivedSpan[] = [];
  const exports: ReceivedExport[] = [];
  const record = (path: string, headers: IncomingHttpHeaders, raw: Buffer): void => {
    const body = headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    exports.push({ path, headers, body });
    const encoding = headers['content-type']?.includes('application/x-protobuf') ? 'protobuf' : 'json';
    const request =
      encoding === 'protobuf'
        ? fromProtobuf(body)
        : (JSON.parse(body.toString('utf8')) as { resourceSpans?: any[] });
    for (const rs of request.resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? [])
        for (const span of ss.spans ?? [])
          spans.push({
            path,
            headers,
            encoding,
            scope: ss.scope?.name,
            name: span.name,
            kind: span.kind,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            attributes: Object.fromEntries(
              (span.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [
                a.key,
                anyValue(a.value ?? {}),
              ]),
            ),
          });
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const protobufReply = req.headers['content-type']?.includes('application/x-protobuf');
      try {
        record(req.url ?? '', req.headers, Buffer.concat(chunks));
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
        return;
      }
      // A collector's success: an empty ExportTraceServiceResponse, in the request's encoding.
      if (protobufReply) res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    exports,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
