// `callbacks: ["otel"]` and OpenTelemetry's OTEL_SDK_DISABLED: with it, Switchyard registers no SDK of its
// own even where one is installed (as here, a dev dependency), so spans stay API no-ops.
import { trace } from '@opentelemetry/api';
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
