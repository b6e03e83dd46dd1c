// `callbacks: ["otel"]` in a Switchyard process (worker, gateway): where its spans go. As in LiteLLM, the
// SDK is the user's to install — Switchyard's libraries depend on @opentelemetry/api only:
// 1. a tracer provider already registered (an SDK preloaded with `node --import ./otel.mjs`) is used as is;
// 2. else, when `@opentelemetry/sdk-trace-base` (+ `@opentelemetry/exporter-trace-otlp-http` for OTLP) can be
//    loaded, Switchyard registers a provider exporting in batches, configured by the standard OTLP
//    variables (OTEL_EXPORTER_OTLP_ENDPOINT, …) or LiteLLM's (OTEL_EXPORTER=console|otlp_http,
//    OTEL_ENDPOINT, OTEL_HEADERS);
// 3. else spans stay no-ops and the start-up log says what to install.
// OTEL_SDK_DISABLED=true (OpenTelemetry's standard switch) skips 2: only an SDK preloaded by the user is used.
import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import { parseHeaderList } from '@switchyard/core';

// Variables, so the type checker and bundlers treat them as the optional packages they are.
const SDK = '@opentelemetry/sdk-trace-base';
const OTLP = '@opentelemetry/exporter-trace-otlp-http';

export interface OtelLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface OtelExport {
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/** Whether an SDK registered a tracer provider (the API's proxy delegates to something other than its no-op). */
export function tracerProviderRegistered(): boolean {
  const current = trace.getTracerProvider();
  return !(current instanceof ProxyTracerProvider) || current.getDelegate() !== NOOP_PROVIDER;
}

/** What an unset proxy delegates to (the API's no-op provider). Once: the tracer asks for every job. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

export async function startOtelExport(
  logger: OtelLogger,
  env: Record<string, string | undefined> = process.env,
): Promise<OtelExport | undefined> {
  if (tracerProviderRegistered()) {
    logger.info({ callback: 'otel' }, 'otel: spans go to the tracer provider already registered');
    return undefined;
  }
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    logger.info({ callback: 'otel' }, 'otel: OTEL_SDK_DISABLED=true, spans are not exported');
    return undefined;
  }
  const toConsole = env.OTEL_EXPORTER === 'console';
  let sdk: Record<string, any>;
  let otlp: Record<string, any> | undefined;
  try {
    sdk = await import(SDK);
    if (!toConsole) otlp = await import(OTLP);
  } catch {
    logger.warn(
      { callback: 'otel' },
      `otel: spans are not exported: install ${SDK}${toConsole ? '' : ` and ${OTLP}`} beside Switchyard, or preload your own SDK (node --import)`,
    );
    return undefined;
  }
  const exporter = toConsole ? new sdk.ConsoleSpanExporter() : new otlp!.OTLPTraceExporter(otlpOptions(env));
  const provider = new sdk.BasicTracerProvider({ spanProcessors: [new sdk.BatchSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  logger.info({ callback: 'otel', exporter: toConsole ? 'console' : 'otlp_http' }, 'otel: exporting spans');
  return { shutdown: () => provider.shutdown() };
}

/** LiteLLM's OTEL_ENDPOINT / OTEL_HEADERS when the standard OTLP variables are not set. */
function otlpOptions(env: Record<string, string | undefined>): Record<string, unknown> {
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || !env.OTEL_ENDPOINT)
    return {};
  const base = env.OTEL_ENDPOINT.replace(/\/+$/, '');
  return {
    url: base.endsWith('/v1/traces') ? base : `${base}/v1/traces`,
    headers: parseHeaderList(env.OTEL_HEADERS),
  };
}
