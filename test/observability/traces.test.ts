// OpenTelemetry traces with real processes: this test process is the application (its SDK keeps spans in
// an InMemorySpanExporter), the workers are child processes whose SDK is preloaded with `node --import`
// (otel-preload.ts writes their spans to a file). A producer's trace must continue in the workers — across
// a fallback, across a retry that parks the job and runs it again — and through the gateway from an HTTP
// caller's `traceparent`; provider calls carry the GenAI conventions; a forged carrier is ignored. A
// batch's requests (children of a BullMQ flow) continue the trace of whoever created the batch, and so do
// the batch's own jobs: the finalize job that writes its files and the expire job at its deadline.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { loadConfigFile, TRACE_KEY } from '@switchyard/core';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatLine, settle, upload } from '../batches/support.ts';
import {
  chat as chatWith,
  type GatewayStack,
  openaiDeployment,
  startGatewayStack,
} from '../integration/harness.ts';

const PRELOAD = resolve(dirname(fileURLToPath(import.meta.url)), 'otel-preload.ts');

interface PlainSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
  startMs: number;
  endMs: number;
}

const here = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(here)] });
const tracer = provider.getTracer('traces-test');

let stack: GatewayStack;
let spansFile: string;

const chat = (model: string) => chatWith(model, 'trace me');

/** The workers' spans so far. */
function workerSpans(): PlainSpan[] {
  return readFileSync(spansFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PlainSpan);
}

/** Waits until the workers have exported the spans of `traceId` that `enough` wants. */
async function spansOf(traceId: string, enough: (spans: PlainSpan[]) => boolean): Promise<PlainSpan[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const spans = workerSpans().filter((s) => s.traceId === traceId);
    if (enough(spans) || Date.now() > deadline) return spans;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The activations of a batch's requests, and of its finalize and expire jobs (`switchyard.job.name`). */
function byJob(spans: PlainSpan[]) {
  const activations = spans.filter((s) => s.name === 'process switchyard');
  const job = (name: string) => activations.filter((s) => s.attributes['switchyard.job.name'] === name);
  return { requests: job('chat.completions'), finalize: job('batch'), expire: job('batch.expire') };
}

/** Runs `fn` under a fresh root span of this process; returns its trace id and the producer span's id. */
async function underRootSpan(fn: () => Promise<unknown>) {
  const root = tracer.startSpan('test-request');
  await context.with(trace.setSpan(ROOT_CONTEXT, root), fn).finally(() => root.end());
  const traceId = root.spanContext().traceId;
  const send = here
    .getFinishedSpans()
    .find((s) => s.spanContext().traceId === traceId && s.name.startsWith('send '));
  return { traceId, rootId: root.spanContext().spanId, send };
}

beforeAll(async () => {
  // The application's SDK, registered as NodeSDK does: a tracer provider and an async context manager
  // (the client's producer span is a child of the active span).
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  spansFile = join(mkdtempSync(join(tmpdir(), 'switchyard-spans-')), 'spans.jsonl');
  stack = await startGatewayStack({
    fake: {
      rules: [
        { match: { model: 'bad-a' }, fault: { kind: 'error', status: 500 } },
        { match: { model: 'flaky-1' }, fault: { kind: 'error', status: 500 }, failFirst: 1 },
        // One slow call at a time: most of a batch is still waiting when its deadline passes.
        { match: { model: 'trickle-1' }, latencyMs: 400 },
      ],
    },
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'primary', 'bad-a'),
        openaiDeployment(fake, 'backup', 'good-b'),
        openaiDeployment(fake, 'flaky', 'flaky-1', { num_retries: 1, cooldown_time: 0 }),
        openaiDeployment(fake, 'trickle', 'trickle-1', { max_parallel_requests: 1 }),
      ],
      router_settings: {
        num_retries: 0,
        allowed_fails: 0,
        cooldown_time: 60,
        fallbacks: [{ primary: ['backup'] }],
      },
      litellm_settings: { callbacks: ['otel'] },
    }),
    env: { NODE_OPTIONS: `--import=${PRELOAD}`, SPANS_FILE: spansFile },
    gateway: (started) => ({ config: loadConfigFile(started.configPath) }),
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  trace.disable();
  context.disable();
});

describe('a producer trace continues in the workers', () => {
  it('across a fallback: one activation, a failed call and the call that answered, GenAI attributes', async () => {
    const { traceId, rootId, send } = await underRootSpan(async () => {
      const r = await stack.client.completion(chat('primary'));
      expect(r.routing.modelGroup).toBe('backup');
    });
    expect(send, 'the producer span').toBeDefined();
    expect(send!.parentSpanContext?.spanId).toBe(rootId);
    expect(send!.attributes).toMatchObject({
      'messaging.destination.name': 'switchyard',
      'gen_ai.request.model': 'primary',
    });
    const spans = await spansOf(traceId, (s) => s.some((x) => x.name === 'process switchyard'));
    const activation = spans.find((s) => s.name === 'process switchyard')!;
    expect(activation.parentSpanId).toBe(send!.spanContext().spanId);
    expect(activation.attributes).toMatchObject({
      'switchyard.next_action': 'done',
      'switchyard.model_group': 'backup',
    });
    const failed = spans.find((s) => s.name === 'chat bad-a')!;
    expect(failed.parentSpanId).toBe(activation.spanId);
    expect(failed.status.code).toBe(2); // ERROR
    expect(failed.attributes).toMatchObject({
      'error.type': 'InternalServerError',
      'http.response.status_code': 500,
      'switchyard.next_model_group': 'backup',
    });
    const answered = spans.find((s) => s.name === 'chat good-b')!;
    expect(answered.kind).toBe(2); // CLIENT
    expect(answered.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'good-b',
      'switchyard.model_group': 'backup',
      'switchyard.deployment.id': 'good-b',
    });
    expect(answered.attributes['gen_ai.response.model']).toEqual(expect.any(String));
    expect(answered.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(answered.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(spans.filter((s) => s.name.startsWith('route ')).map((s) => s.name)).toEqual([
      'route primary',
      'route backup',
    ]);
  });

  it('across a retry that parks the job: each activation joins the producer trace', async () => {
    // The parent given explicitly (EnqueueOptions.traceContext) instead of through the active context.
    const root = tracer.startSpan('test-request');
    const r = await stack.client.completion(chat('flaky'), {
      traceContext: trace.setSpan(ROOT_CONTEXT, root),
    });
    root.end();
    expect(r.routing.attempts).toHaveLength(2);
    const traceId = root.spanContext().traceId;
    const send = here
      .getFinishedSpans()
      .find((s) => s.spanContext().traceId === traceId && s.name.startsWith('send '));
    const spans = await spansOf(traceId, (s) => s.filter((x) => x.name === 'process switchyard').length >= 2);
    const activations = spans.filter((s) => s.name === 'process switchyard');
    expect(activations).toHaveLength(2);
    for (const a of activations) expect(a.parentSpanId).toBe(send!.spanContext().spanId);
    expect(activations.map((a) => a.attributes['switchyard.next_action']).sort()).toEqual(['done', 'park']);
    expect(spans.filter((s) => s.name === 'chat flaky-1')).toHaveLength(2);
  });

  it("through the gateway, from the HTTP caller's traceparent", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const callerSpan = 'b7ad6b7169203331';
    const res = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify(chat('backup')),
    });
    expect(res.status).toBe(200);
    const send = here.getFinishedSpans().find((s) => s.spanContext().traceId === traceId)!;
    expect(send.name).toBe('send switchyard');
    expect(send.parentSpanContext?.spanId).toBe(callerSpan);
    const spans = await spansOf(traceId, (s) => s.some((x) => x.name === 'chat good-b'));
    expect(spans.find((s) => s.name === 'process switchyard')?.parentSpanId).toBe(send.spanContext().spanId);
  });

  it('a job with a forged or broken carrier runs, in a trace of its own', async () => {
    const forged = 'ffffffffffffffffffffffffffffffff';
    const id = await stack.client.queue
      .add('chat.completions', { ...chat('backup'), [TRACE_KEY]: { traceparent: `00-${forged}-zz-01` } })
      .then((j) => j.id!);
    const result = await stack.client.result(id, { timeoutMs: 30_000 });
    expect(result?.routing.modelGroup).toBe('backup');
    // No span of any worker claims the broken trace; the job's own activation is a root.
    const deadline = Date.now() + 10_000;
    let mine: PlainSpan | undefined;
    while (!mine && Date.now() < deadline) {
      mine = workerSpans().find(
        (s) => s.name === 'process switchyard' && s.attributes['messaging.message.id'] === id,
      );
      if (!mine) await new Promise((r) => setTimeout(r, 100));
    }
    expect(mine?.parentSpanId).toBeUndefined();
    expect(workerSpans().some((s) => s.traceId === forged)).toBe(false);
  });
});

describe("a batch's requests continue the trace that created the batch", () => {
  it('client.batch(): one producer span for the flow, every request activated under it', async () => {
    const requests = [1, 2, 3].map((i) => ({ custom_id: `r${i}`, body: chat('backup') }));
    let lines = 0;
    const { traceId, rootId, send } = await underRootSpan(async () => {
      for await (const line of stack.client.batch(requests)) {
        expect(line.error).toBeNull();
        lines++;
      }
    });
    expect(lines).toBe(3);
    expect(send, 'the producer span').toBeDefined();
    expect(send!.parentSpanContext?.spanId).toBe(rootId);
    expect(send!.attributes).toMatchObject({
      'messaging.destination.name': 'switchyard',
      'messaging.batch.message_count': 3,
    });
    const spans = await spansOf(
      traceId,
      (s) => s.filter((x) => x.name === 'chat good-b').length >= 3 && byJob(s).finalize.length > 0,
    );
    const { requests: activations, finalize } = byJob(spans);
    expect(activations).toHaveLength(3);
    for (const a of activations) expect(a.parentSpanId).toBe(send!.spanContext().spanId);
    const batchId = activations[0]!.attributes['switchyard.batch.id'];
    expect(batchId).toEqual(expect.stringMatching(/^batch_/));
    for (const a of activations) expect(a.attributes['switchyard.batch.id']).toBe(batchId);
    // The finalize job, which wrote the batch's files, in the same trace.
    expect(finalize).toHaveLength(1);
    expect(finalize[0]!.parentSpanId).toBe(send!.spanContext().spanId);
    expect(finalize[0]!.kind).toBe(4); // CONSUMER
    expect(finalize[0]!.attributes).toMatchObject({
      'messaging.message.id': batchId,
      'switchyard.batch.id': batchId,
      'switchyard.batch.status': 'completed',
      'switchyard.batch.request_counts.total': 3,
      'switchyard.batch.request_counts.completed': 3,
      'switchyard.batch.request_counts.failed': 0,
    });
    const calls = spans.filter((s) => s.name === 'chat good-b');
    expect(calls).toHaveLength(3);
    for (const c of calls) {
      expect(activations.map((a) => a.spanId)).toContain(c.parentSpanId);
      expect(c.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'good-b',
      });
    }
  });

  it("POST /v1/batches on the gateway, from the HTTP caller's traceparent", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const sdk = new OpenAI({
      baseURL: `${stack.gateway.url}/v1`,
      apiKey: 'unused',
      defaultHeaders: { traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    const text = ['g1', 'g2'].map((id) => chatLine({ custom_id: id, model: 'backup' })).join('\n');
    const file = await upload(sdk, text);
    const created = await sdk.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    const { batch } = await settle(sdk, created.id);
    expect(batch.request_counts).toMatchObject({ total: 2, completed: 2 });
    const send = here.getFinishedSpans().find((s) => s.spanContext().traceId === traceId)!;
    expect(send.name).toBe('send switchyard');
    expect(send.parentSpanContext?.spanId).toBe(callerSpan);
    expect(send.attributes['messaging.batch.message_count']).toBe(2);
    const spans = await spansOf(
      traceId,
      (s) => s.filter((x) => x.name === 'chat good-b').length >= 2 && byJob(s).finalize.length > 0,
    );
    const { requests, finalize, expire } = byJob(spans);
    expect(requests).toHaveLength(2);
    for (const a of requests) expect(a.parentSpanId).toBe(send.spanContext().spanId);
    expect(finalize).toHaveLength(1);
    expect(finalize[0]!.parentSpanId).toBe(send.spanContext().spanId);
    expect(finalize[0]!.attributes).toMatchObject({
      'switchyard.batch.id': created.id,
      'switchyard.batch.status': 'completed',
      'switchyard.batch.request_counts.total': 2,
      'switchyard.batch.request_counts.completed': 2,
    });
    // Finished before its deadline: the expire job was withdrawn, never run.
    expect(expire).toEqual([]);
  });

  it.each([
    {
      how: 'past its deadline: the expire job and then the finalize job',
      ends: 'expired',
      traceId: '6e0c63257de34c926f9efcd03927272e',
      window: '1s',
      stop: async () => {},
    },
    {
      how: 'cancelled: the finalize job',
      ends: 'cancelled',
      traceId: '7a1d74368ef45da37f0afde14a38383f',
      window: '24h',
      stop: (sdk: OpenAI, id: string) => sdk.batches.cancel(id),
    },
  ])('$how, in the trace that created the batch', async ({ ends, traceId, window, stop }) => {
    const callerSpan = '53995c3f42cd8ad8';
    const sdk = new OpenAI({
      baseURL: `${stack.gateway.url}/v1`,
      apiKey: 'unused',
      defaultHeaders: { traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    const text = [1, 2, 3, 4, 5, 6].map((i) => chatLine({ custom_id: `x${i}`, model: 'trickle' })).join('\n');
    const file = await upload(sdk, text);
    const created = await sdk.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: window as '24h',
    });
    await stop(sdk, created.id);
    const { batch } = await settle(sdk, created.id);
    expect(batch.status).toBe(ends);
    const { total, completed, failed } = batch.request_counts!;
    expect(completed).toBeLessThan(total);
    const send = here.getFinishedSpans().find((s) => s.spanContext().traceId === traceId)!;
    expect(send.name).toBe('send switchyard');
    const expired = ends === 'expired';
    const spans = await spansOf(
      traceId,
      (s) => byJob(s).finalize.length > 0 && (!expired || byJob(s).expire.length > 0),
    );
    const { requests, finalize, expire } = byJob(spans);
    expect(finalize).toHaveLength(1);
    expect(finalize[0]!.parentSpanId).toBe(send.spanContext().spanId);
    expect(finalize[0]!.attributes).toMatchObject({
      'switchyard.batch.id': created.id,
      'switchyard.batch.status': ends,
      'switchyard.batch.request_counts.total': total,
      'switchyard.batch.request_counts.completed': completed,
      'switchyard.batch.request_counts.failed': failed,
    });
    if (expired) {
      expect(expire).toHaveLength(1);
      expect(expire[0]!.parentSpanId).toBe(send.spanContext().spanId);
      expect(expire[0]!.attributes).toMatchObject({
        'messaging.message.id': `${created.id}-expire`,
        'switchyard.batch.id': created.id,
        'switchyard.batch.status': 'expiring',
      });
      // The deadline came first; the files were written after it.
      expect(finalize[0]!.startMs).toBeGreaterThanOrEqual(expire[0]!.endMs);
    } else {
      // Cancelled before its deadline: the expire job was withdrawn, never run.
      expect(expire).toEqual([]);
    }
    // The requests that ran (or waited for capacity) before the end, in the same trace.
    expect(requests.length).toBeGreaterThan(0);
    for (const a of requests) expect(a.parentSpanId).toBe(send.spanContext().spanId);
  });
});
