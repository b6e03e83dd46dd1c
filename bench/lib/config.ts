// LiteLLM-format configs for the bench: deployments that all point at a fake provider, in one model group
// unless a deployment names its own.
import type { BenchConfig } from './systems.ts';

export const GROUP = 'bench';

// Inherited by every worker the bench spawns: see BENCH_OBSERVABILITY in benchConfig.
process.env.OTEL_SDK_DISABLED ??= 'true';

export interface DeploymentSpec {
  /** Model key the fake sees (its limits are per key). */
  model: string;
  /** Its model group. @defaultValue GROUP */
  group?: string;
  rpm?: number;
  tpm?: number;
}

export function benchConfig(
  fakeUrl: string,
  deployments: readonly DeploymentSpec[],
  routerSettings: Record<string, unknown> = {},
): BenchConfig {
  const config: BenchConfig = {
    model_list: deployments.map((d) => ({
      model_name: d.group ?? GROUP,
      litellm_params: {
        model: `openai/${d.model}`,
        api_base: `${fakeUrl}/v1`,
        api_key: 'sk-bench',
        ...(d.rpm === undefined ? {} : { rpm: d.rpm }),
        ...(d.tpm === undefined ? {} : { tpm: d.tpm }),
      },
      model_info: { id: d.model },
    })),
    router_settings: routerSettings,
  };
  // BENCH_OBSERVABILITY=1 turns observability on in every scenario's config.
  return process.env.BENCH_OBSERVABILITY === '1' ? withObservability(config) : config;
}

/**
 * Metrics, the event stream and trace spans on (spans through @opentelemetry/api; exported only where an SDK
 * is registered), to measure what they cost. The repo's dev dependencies make the OTLP exporter loadable, so
 * workers would register it and export to a collector that is not there: OTEL_SDK_DISABLED=true (above)
 * keeps that out unless the caller sets OTEL_SDK_DISABLED=false.
 */
export function withObservability(config: BenchConfig): BenchConfig {
  return {
    ...config,
    litellm_settings: { ...config.litellm_settings, success_callback: ['prometheus'], callbacks: ['otel'] },
    switchyard_settings: { ...config.switchyard_settings, events: true },
  };
}

/**
 * Three deployments whose rpm/tpm limits sit far above any load here: the window accounting runs on every
 * job, but nothing ever waits for capacity — the routing cost itself is what gets measured.
 */
export function unboundedConfig(fakeUrl: string, rpm = 1_000_000): BenchConfig {
  return benchConfig(
    fakeUrl,
    ['bench-a', 'bench-b', 'bench-c'].map((model) => ({ model, rpm, tpm: rpm * 1000 })),
  );
}

/** A small chat request; fixed length so every job costs the same tokens. */
export function chatBody(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: GROUP,
    messages: [{ role: 'user', content: `Summarise document #${String(i % 10_000).padStart(4, '0')}` }],
    ...extra,
  };
}
