// `callbacks: ["otel"]` and OpenTelemetry's OTEL_SDK_DISABLED: with it, Switchyard registers no SDK of its
// own even where one is installed (as here, a dev dependency), so spans stay API no-ops. The OTLP encoding
// follows the standard OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL: each one's spans reach a real local collector.
import { trace } from '@opentelemetry/api';
import { startOtlpCollector } from '@switchyard/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtelExport, tracerProviderRegistered } from '../src/tracing/otel-export.ts';

function logger() {
  const lines: string[] = [];
  return {
    lines,
    info: (_: object, msg: string) => lines.push(msg),
    warn: (_: object, msg: string) => lines.push(msg),
  };
}

afterEach(() => trace.disable());

describe('startOtelExport', () => {
  it('registers nothing with OTEL_SDK_DISABLED=true, and says so', async () => {
    const log = logger();
    expect(
      await startOtelExport(log, { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER: 'console' }),
    ).toBeUndefined();
    expect(tracerProviderRegistered()).toBe(false);
    expect(log.lines).toEqual(['otel: OTEL_SDK_DISABLED=true, spans are not exported']);
  });

  it('registers the installed SDK without it', async () => {
    const exporting = await startOtelExport(logger(), {
      OTEL_SDK_DISABLED: 'false',
      OTEL_EXPORTER: 'console',
    });
    expect(exporting).toBeDefined();
    expect(tracerProviderRegistered()).toBe(true);
    await exporting?.shutdown();
  });
});

describe('the OTLP encoding', () => {
  it.each([
    ['http/json', 'json', 'application/json'],
    ['http/protobuf', 'protobuf', 'application/x-protobuf'],
  ] as const)(
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=%s (over OTEL_EXPORTER_OTLP_PROTOCOL) sends %s',
    async (protocol, encoding, contentType) => {
      const collector = await startOtlpCollector();
      try {
        const log = logger();
        const exporting = await startOtelExport(log, {
          // LiteLLM's endpoint variable, so the exporters (which read the standard one from process.env) get it.
          OTEL_ENDPOINT: collector.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
        });
        expect(log.lines).toEqual(['otel: exporting spans']);
        trace
          .getTracer('otel-export-test')
          .startSpan('finalize batch_x', { attributes: { 'switchyard.batch.id': 'batch_x', count: 3 } })
          .end();
        await exporting!.shutdown(); // flushes the batch processor
        expect(collector.exports).toHaveLength(1);
        const [sent] = collector.exports;
        expect(sent!.path).toBe('/v1/traces');
        expect(sent!.headers['content-type']).toContain(contentType);
        expect(sent!.body.toString('utf8')).toContain('finalize batch_x');
        if (encoding === 'protobuf') expect(() => JSON.parse(sent!.body.toString('utf8'))).toThrow();
        expect(collector.spans).toEqual([
          expect.objectContaining({
            encoding,
            scope: 'otel-export-test',
            name: 'finalize batch_x',
            traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
            attributes: { 'switchyard.batch.id': 'batch_x', count: 3 },
          }),
        ]);
      } finally {
        await collector.close();
      }
    },
  );

  it.each([
    [{ OTEL_EXPORTER: 'otlp_http' }, 'protobuf'],
    [{ OTEL_EXPORTER: 'otlp_http', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'json'],
    [{}, 'json'],
  ] as const)('LiteLLM variables %o send %s', async (env, encoding) => {
    const collector = await startOtlpCollector();
    try {
      const exporting = await startOtelExport(logger(), { OTEL_ENDPOINT: collector.url, ...env });
      trace.getTracer('otel-export-test').startSpan('route bench').end();
      await exporting!.shutdown();
      expect(collector.spans).toEqual([expect.objectContaining({ encoding, name: 'route bench' })]);
    } finally {
      await collector.close();
    }
  });

  it.each([
    [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      'OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported (http/json or http/protobuf)',
    ],
    [{ OTEL_EXPORTER: 'otlp_grpc' }, 'OTEL_EXPORTER=otlp_grpc is not supported (otlp_http)'],
  ])('refuses an encoding it cannot send, naming the variable: %o', async (env, reason) => {
    const log = logger();
    expect(await startOtelExport(log, env)).toBeUndefined();
    expect(tracerProviderRegistered()).toBe(false);
    expect(log.lines).toEqual([`otel: spans are not exported: ${reason}`]);
  });
});
