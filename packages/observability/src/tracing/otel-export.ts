// `callbacks: ["otel"]` in a Switchyard process (worker, gateway): where its spans go. As in LiteLLM, the
// SDK is the user's to install — Switchyard's libraries depend on @opentelemetry/api only:
// 1. a tracer provider already registered (an SDK preloaded with `node --import ./otel.mjs`) is used as is;
// 2. else, when `@opentelemetry/sdk-trace-base` (+ the OTLP exporter of the chosen encoding) can be
//    loaded, Switchyard registers a provider exporting in batches, configured by the standard OTLP
//    variables (OTEL_EXPORTER_OTLP_ENDPOINT, …) or LiteLLM's (OTEL_EXPORTER=console|otlp_http,
//    OTEL_ENDPOINT, OTEL_HEADERS). The encoding is OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else
//    OTEL_EXPORTER_OTLP_PROTOCOL: `http/json` (the default, as before the variable was read:
//    exporter-trace-otlp-http) or `http/protobuf` (exporter-trace-otlp-proto); `grpc` is not supported.
//    Without them LiteLLM's OTEL_EXPORTER decides: `otlp_http` is protobuf, as LiteLLM sends it, and
//    `otlp_grpc` is refused like `grpc`;
// 3. else spans stay no-ops and the start-up log says what to install.
// OTEL_SDK_DISABLED=true (OpenTelemetry's standard switch) skips 2: only an SDK preloaded by the user is used.
import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import { parseHeaderList } from '@switchyard/core';

// Variables, so the type checker and bundlers treat them as the optional packages they are.
const SDK = '@opentelemetry/sdk-trace-base';
/** The OTLP/HTTP encodings and the package exporting each: both export an `OTLPTraceExporter` of the same options. */
const OTLP_EXPORTERS = {
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
} as const;
type OtlpProtocol = keyof typeof OTLP_EXPORTERS;

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
  const protocol = toConsole ? undefined : otlpProtocol(env);
  if (protocol instanceof Error) {
    logger.warn({ callback: 'otel' }, `otel: spans are not exported: ${protocol.message}`);
    return undefined;
  }
  const otlpPackage = protocol && OTLP_EXPORTERS[protocol];
  let sdk: Record<string, any>;
  let otlp: Record<string, any> | undefined;
  try {
    sdk = await import(SDK);
    if (otlpPackage) otlp = await import(otlpPackage);
  } catch {
    logger.warn(
      { callback: 'otel' },
      `otel: spans are not exported: install ${SDK}${otlpPackage ? ` and ${otlpPackage}` : ''} beside Switchyard, or preload your own SDK (node --import)`,
    );
    return undefined;
  }
  const exporter = otlp ? new otlp.OTLPTraceExporter(otlpOptions(env)) : new sdk.ConsoleSpanExporter();
  const provider = new sdk.BasicTracerProvider({ spanProcessors: [new sdk.BatchSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  logger.info(
    { callback: 'otel', exporter: otlp ? 'otlp_http' : 'console', ...(protocol ? { protocol } : {}) },
    'otel: exporting spans',
  );
  return { shutdown: () => provider.shutdown() };
}

/**
 * The OTLP encoding the standard variables ask for (the traces-specific one first, as the spec says);
 * an Error naming the variable when it asks for one Switchyard cannot send.
 */
function otlpProtocol(env: Record<string, string | undefined>): OtlpProtocol | Error {
  const name = ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'].find((n) =>
    env[n]?.trim(),
  );
  if (!name) {
    const litellm = env.OTEL_EXPORTER?.trim().toLowerCase();
    if (litellm === 'otlp_grpc') return new Error('OTEL_EXPORTER=otlp_grpc is not supported (otlp_http)');
    return litellm === 'otlp_http' ? 'http/protobuf' : 'http/json';
  }
  const value = env[name]!.trim().toLowerCase();
  if (Object.hasOwn(OTLP_EXPORTERS, value)) return value as OtlpProtocol;
  return new Error(`${name}=${value} is not supported (${Object.keys(OTLP_EXPORTERS).join(' or ')})`);
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
