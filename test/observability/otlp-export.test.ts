// `callbacks: ["otel"]` with no SDK preloaded: the processes register their own tracer provider and export
// over OTLP/HTTP (otel-export.ts, with @opentelemetry/sdk-trace-base and exporter-trace-otlp-http installed).
// A real HTTP server here is the collector. The worker is configured by the standard variable
// (OTEL_EXPORTER_OTLP_ENDPOINT), the gateway by LiteLLM's (OTEL_EXPORTER=otlp_http, OTEL_ENDPOINT,
// OTEL_HEADERS); one HTTP request's trace must arrive whole — the gateway's producer span, the worker's
// activation and its provider call with the GenAI attributes.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { GatewayProcess } from '@switchyard/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  chat,
  type GatewayStack,
  openaiDeployment,
  startGatewayProcessStack,
} from '../integration/harness.ts';

/** One span as the collector received it, attributes decoded from OTLP's `AnyValue`s. */
interface ReceivedSpan {
  path: string;
  headers: IncomingHttpHeaders;
  scope: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
}

let stack: GatewayStack<GatewayProcess>;
let collector: Server;
let collectorUrl: string;
const received: ReceivedSpan[] = [];
const LITELLM_HEADER = 'sk-collector-test';
/** OTLP's SpanKind enum (the API's plus one). */
const OTLP_KIND = { server: 2, client: 3, producer: 4, consumer: 5 };

function anyValue(v: Record<string, unknown>): unknown {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v)
    return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(anyValue);
  return v;
}

/** The collector: OTLP/HTTP JSON (what exporter-trace-otlp-http sends), answered 200 `{}` as a collector does. */
function record(path: string, headers: IncomingHttpHeaders, body: Buffer): void {
  const text = (headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
  const request = JSON.parse(text) as { resourceSpans: any[] };
  for (const rs of request.resourceSpans)
    for (const ss of rs.scopeSpans)
      for (const span of ss.spans)
        received.push({
          path,
          headers,
          scope: ss.scope?.name,
          name: span.name,
          kind: span.kind,
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ?? '',
          attributes: Object.fromEntries(
            (span.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [
              a.key,
              anyValue(a.value),
            ]),
          ),
        });
}

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      record(req.url ?? '', req.headers, Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

  // A short batch delay, so spans arrive while the processes run (shutdown would flush them too).
  const batchDelay = { OTEL_BSP_SCHEDULE_DELAY: '100' };
  stack = await startGatewayProcessStack({
    config: (fake) => ({
      model_list: [openaiDeployment(fake, 'backup', 'good-1')],
      litellm_settings: { callbacks: ['otel'] },
    }),
    workers: 1,
    env: { ...batchDelay, OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl },
    gatewayProcess: {
      env: {
        ...batchDelay,
        OTEL_EXPORTER: 'otlp_http',
        OTEL_ENDPOINT: `${collectorUrl}/litellm`,
        OTEL_HEADERS: `x-collector-key=${LITELLM_HEADER}`,
      },
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  collector?.close();
});

it("exports one request's trace over OTLP/HTTP: producer, activation and provider call with GenAI attributes", async () => {
  expect(stack.workers[0]!.output()).toContain('"exporter":"otlp_http"');
  expect(stack.gateway.output()).toContain('"exporter":"otlp_http"');
  const traceId = '5b8efff798038103d269b633813fc60c';
  const callerSpan = 'eee19b7ec3c1b174';
  const res = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
    body: JSON.stringify(chat('backup', 'export me')),
  });
  expect(res.status, await res.clone().text()).toBe(200);

  const mine = () => received.filter((s) => s.traceId === traceId);
  await expect
    .poll(() => mine().map((s) => s.name), { timeout: 15_000, interval: 100 })
    .toEqual(expect.arrayContaining(['send switchyard', 'process switchyard', 'chat good-1']));
  const byName = new Map(mine().map((s) => [s.name, s]));

  // The gateway's producer span, sent where LiteLLM's variables say, with their header.
  for (const s of mine()) expect(s.headers['content-type']).toContain('application/json');
  const send = byName.get('send switchyard')!;
  expect(send.path).toBe('/litellm/v1/traces');
  expect(send.headers['x-collector-key']).toBe(LITELLM_HEADER);
  expect(send.kind).toBe(OTLP_KIND.producer);
  expect(send.parentSpanId).toBe(callerSpan);
  expect(send.attributes).toMatchObject({
    'messaging.system': 'bullmq',
    'messaging.destination.name': 'switchyard',
    'gen_ai.request.model': 'backup',
  });

  // The worker's spans, sent to the standard endpoint, continuing the gateway's.
  const activation = byName.get('process switchyard')!;
  expect(activation.path).toBe('/v1/traces');
  expect(activation.headers['x-collector-key']).toBeUndefined();
  expect(activation.kind).toBe(OTLP_KIND.consumer);
  expect(activation.parentSpanId).toBe(send.spanId);
  expect(activation.attributes).toMatchObject({
    'switchyard.next_action': 'done',
    'switchyard.model_group': 'backup',
  });
  const call = byName.get('chat good-1')!;
  expect(call.kind).toBe(OTLP_KIND.client);
  expect(call.parentSpanId).toBe(activation.spanId);
  expect(call.attributes).toMatchObject({
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'openai',
    'gen_ai.request.model': 'good-1',
    'switchyard.model_group': 'backup',
    'switchyard.deployment.id': 'good-1',
  });
  expect(call.attributes['gen_ai.response.model']).toEqual(expect.any(String));
  expect(call.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  expect(call.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  // Nothing of the provider key or the prompt travels with the spans.
  expect(JSON.stringify(mine())).not.toContain('sk-test-secret');
  expect(JSON.stringify(mine())).not.toContain('export me');
});
