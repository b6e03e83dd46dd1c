// `callbacks: ["otel"]` with no SDK preloaded: the processes register their own tracer provider and export
// over OTLP/HTTP (otel-export.ts, with @opentelemetry/sdk-trace-base and both OTLP exporters installed).
// A real HTTP server here is the collector (testkit's, which decodes JSON and protobuf alike). The worker is
// configured by the standard variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf),
// the gateway by LiteLLM's (OTEL_EXPORTER=otlp_http, OTEL_ENDPOINT, OTEL_HEADERS), with
// OTEL_EXPORTER_OTLP_PROTOCOL=http/json winning over otlp_http's protobuf;
// one HTTP request's trace must arrive whole across both encodings — the gateway's producer span, the
// worker's activation and its provider call with the GenAI attributes — and so must a batch's.
import { type GatewayProcess, type OtlpCollector, startOtlpCollector } from '@switchyard/testkit';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chatLine, settle, upload } from '../batches/support.ts';
import {
  chat,
  type GatewayStack,
  openaiDeployment,
  startGatewayProcessStack,
} from '../integration/harness.ts';

let stack: GatewayStack<GatewayProcess>;
let collector: OtlpCollector;
const LITELLM_HEADER = 'sk-collector-test';
/** OTLP's SpanKind enum (the API's plus one). */
const OTLP_KIND = { server: 2, client: 3, producer: 4, consumer: 5 };

beforeAll(async () => {
  collector = await startOtlpCollector();
  const collectorUrl = collector.url;

  // A short batch delay, so spans arrive while the processes run (shutdown would flush them too).
  const batchDelay = { OTEL_BSP_SCHEDULE_DELAY: '100' };
  stack = await startGatewayProcessStack({
    config: (fake) => ({
      model_list: [openaiDeployment(fake, 'backup', 'good-1')],
      litellm_settings: { callbacks: ['otel'] },
    }),
    workers: 1,
    env: {
      ...batchDelay,
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    },
    gatewayProcess: {
      env: {
        ...batchDelay,
        OTEL_EXPORTER: 'otlp_http',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_ENDPOINT: `${collectorUrl}/litellm`,
        OTEL_HEADERS: `x-collector-key=${LITELLM_HEADER}`,
      },
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await collector?.close();
});

it("exports one request's trace over OTLP/HTTP, JSON and protobuf: producer, activation and provider call with GenAI attributes", async () => {
  expect(stack.workers[0]!.output()).toContain('"exporter":"otlp_http","protocol":"http/protobuf"');
  expect(stack.gateway.output()).toContain('"exporter":"otlp_http","protocol":"http/json"');
  const traceId = '5b8efff798038103d269b633813fc60c';
  const callerSpan = 'eee19b7ec3c1b174';
  const res = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
    body: JSON.stringify(chat('backup', 'export me')),
  });
  expect(res.status, await res.clone().text()).toBe(200);

  const mine = () => collector.spans.filter((s) => s.traceId === traceId);
  await expect
    .poll(() => mine().map((s) => s.name), { timeout: 15_000, interval: 100 })
    .toEqual(expect.arrayContaining(['send switchyard', 'process switchyard', 'chat good-1']));
  const byName = new Map(mine().map((s) => [s.name, s]));

  // The gateway's producer span, sent where LiteLLM's variables say, with their header, in JSON.
  const send = byName.get('send switchyard')!;
  expect(send.encoding).toBe('json');
  expect(send.headers['content-type']).toContain('application/json');
  expect(send.path).toBe('/litellm/v1/traces');
  expect(send.headers['x-collector-key']).toBe(LITELLM_HEADER);
  expect(send.kind).toBe(OTLP_KIND.producer);
  expect(send.parentSpanId).toBe(callerSpan);
  expect(send.attributes).toMatchObject({
    'messaging.system': 'bullmq',
    'messaging.destination.name': 'switchyard',
    'gen_ai.request.model': 'backup',
  });

  // The worker's spans, sent to the standard endpoint in protobuf, continuing the gateway's.
  for (const s of mine().filter((x) => x !== send)) {
    expect(s.encoding).toBe('protobuf');
    expect(s.headers['content-type']).toBe('application/x-protobuf');
  }
  // On the wire: binary protobuf, not JSON, with the span names as UTF-8 strings in it.
  const protobufBodies = collector.exports.filter((e) => e.path === '/v1/traces').map((e) => e.body);
  expect(protobufBodies.some((b) => b.includes('chat good-1'))).toBe(true);
  for (const b of protobufBodies) expect(() => JSON.parse(b.toString('utf8'))).toThrow();
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

it("exports a batch's trace: its requests and its finalize job, counts as OTLP integers", async () => {
  const traceId = '2c2f4e9d1e8a4b6c9d0e1f2a3b4c5d6e';
  const sdk = new OpenAI({
    baseURL: `${stack.gateway.url}/v1`,
    apiKey: 'unused',
    defaultHeaders: { traceparent: `00-${traceId}-a1b2c3d4e5f60718-01` },
  });
  const text = ['o1', 'o2'].map((id) => chatLine({ custom_id: id, model: 'backup' })).join('\n');
  const created = await sdk.batches.create({
    input_file_id: (await upload(sdk, text)).id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
  });
  expect((await settle(sdk, created.id)).batch.status).toBe('completed');

  const activations = () =>
    collector.spans.filter((s) => s.traceId === traceId && s.name === 'process switchyard');
  const finalized = () => activations().find((s) => s.attributes['switchyard.job.name'] === 'batch');
  await expect.poll(finalized, { timeout: 15_000, interval: 100 }).toBeDefined();
  const send = collector.spans.find((s) => s.traceId === traceId && s.name === 'send switchyard')!;
  expect(send.attributes['messaging.batch.message_count']).toBe(2);
  const finalize = finalized()!;
  expect(finalize.encoding).toBe('protobuf');
  expect(finalize.kind).toBe(OTLP_KIND.consumer);
  expect(finalize.parentSpanId).toBe(send.spanId);
  expect(finalize.attributes).toMatchObject({
    'switchyard.batch.id': created.id,
    'switchyard.batch.status': 'completed',
    'switchyard.batch.request_counts.total': 2,
    'switchyard.batch.request_counts.completed': 2,
    'switchyard.batch.request_counts.failed': 0,
  });
  await expect
    .poll(() => activations().filter((s) => s.attributes['switchyard.job.name'] === 'chat.completions'), {
      timeout: 5_000,
    })
    .toHaveLength(2);
});
