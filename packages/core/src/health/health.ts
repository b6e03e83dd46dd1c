// LiteLLM proxy's model health checks: which minimal request checks a deployment (by `model_info.mode`, else
// the endpoint its group was first used with), and the `/health` answer's shape. Pure; the worker calls out.
import { publicApiBase } from '../config/public-api-base.ts';
import type { Deployment } from '../config/types.ts';
import type { Endpoint } from '../contract/job-names.ts';
import type { ErrorType } from '../errors/taxonomy.ts';

/** The job that runs health checks in a worker; data `{ model?: group }`, returnvalue a HealthReport. */
export const HEALTH_JOB_NAME = 'health.check';

/** LiteLLM's default `health_check_timeout`, seconds. */
export const DEFAULT_HEALTH_CHECK_TIMEOUT_SEC = 60;

/** LiteLLM's `model_info.mode` values → the endpoint a check calls. Modes without a job type are not checked. */
const MODE_ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  chat: 'chat.completions',
  completion: 'completions',
  embedding: 'embeddings',
  image_generation: 'images.generations',
  audio_transcription: 'audio.transcriptions',
  audio_speech: 'audio.speech',
  moderation: 'moderations',
  rerank: 'rerank',
};

/** A tenth of a second of silence as a 16-bit 8 kHz WAV: the smallest upload a transcription check can send. */
const SILENT_WAV = (() => {
  const samples = 800;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(16000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  return wav.toString('base64');
})();

/** The endpoint that checks `d`, or a reason it cannot be checked here. */
export function healthCheckEndpoint(
  d: Pick<Deployment, 'info'>,
  firstUse: Endpoint | undefined,
): { endpoint: Endpoint } | { unsupported: string } {
  const mode = d.info.mode;
  if (mode === undefined) return { endpoint: firstUse ?? 'chat.completions' };
  const endpoint = MODE_ENDPOINTS[mode];
  return endpoint ? { endpoint } : { unsupported: `mode "${mode}" has no health check here yet` };
}

/** The smallest request of each kind (one output token). */
export function healthCheckBody(endpoint: Endpoint): Record<string, unknown> {
  switch (endpoint) {
    case 'chat.completions':
      return { messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 };
    case 'completions':
      return { prompt: 'ping', max_tokens: 1 };
    case 'embeddings':
    case 'moderations':
      return { input: 'ping' };
    case 'images.generations':
      return { prompt: 'ping', n: 1 };
    case 'audio.transcriptions':
    case 'audio.translations':
      return { file: { filename: 'ping.wav', data: SILENT_WAV, content_type: 'audio/wav' } };
    case 'audio.speech':
      return { input: 'ping', voice: 'alloy' };
    case 'rerank':
      return { query: 'ping', documents: ['ping'], top_n: 1 };
  }
}

/** One deployment in the `/health` answer: never a credential. */
export interface HealthEndpoint {
  /** model_info.id */
  model_id: string;
  /** `litellm_params.model` */
  model: string;
  model_group: string;
  api_base: string;
  /** Unhealthy only: `<ErrorType>: <message>`, the classified failure. */
  error?: string;
  error_type?: ErrorType;
  /** When the check finished (epoch ms). */
  checked_at: number;
  latency_ms?: number;
}

/** LiteLLM proxy's `/health` answer. */
export interface HealthReport {
  healthy_endpoints: HealthEndpoint[];
  unhealthy_endpoints: HealthEndpoint[];
  healthy_count: number;
  unhealthy_count: number;
}

export interface HealthResult {
  deployment: Deployment;
  healthy: boolean;
  error?: { type: ErrorType; message: string };
  checkedAtMs: number;
  latencyMs?: number;
}

export function healthEndpoint(r: HealthResult): HealthEndpoint {
  const d = r.deployment;
  const out: HealthEndpoint = {
    model_id: d.id,
    model: d.litellmModel,
    model_group: d.modelGroup,
    api_base: publicApiBase(d.apiBase),
    checked_at: r.checkedAtMs,
  };
  if (r.latencyMs !== undefined) out.latency_ms = r.latencyMs;
  if (r.error) {
    out.error = `${r.error.type}: ${r.error.message}`;
    out.error_type = r.error.type;
  }
  return out;
}

export function healthReport(results: readonly HealthResult[]): HealthReport {
  const healthy = results.filter((r) => r.healthy).map(healthEndpoint);
  const unhealthy = results.filter((r) => !r.healthy).map(healthEndpoint);
  return {
    healthy_endpoints: healthy,
    unhealthy_endpoints: unhealthy,
    healthy_count: healthy.length,
    unhealthy_count: unhealthy.length,
  };
}

/**
 * enable_health_check_routing: the deployments to route to — those whose last check did not fail — unless
 * that is none of them, then all (a broken health check must never take a whole group down).
 */
export function healthyOnly<T extends { id: string }>(
  deployments: readonly T[],
  unhealthy: ReadonlySet<string>,
): readonly T[] {
  if (unhealthy.size === 0) return deployments;
  const kept = deployments.filter((d) => !unhealthy.has(d.id));
  return kept.length > 0 ? kept : deployments;
}
