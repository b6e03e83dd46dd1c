// Fleet-wide figures read from Redis at scrape time (FleetReader: every deployment of the fleet's model
// list with its routing state, and the queue's job counts), as Prometheus gauges. No process keeps them.
import { Gauge, Registry } from 'prom-client';
import type { FleetReader, FleetSnapshot } from '../fleet/fleet-reader.ts';
import { QUEUE_STATES } from '../fleet/fleet-reader.ts';
import { DEPLOYMENT_LABELS, DEPLOYMENT_STATE, REMAINING_LABELS } from './litellm-names.ts';

const FLEET = 'Fleet-wide, read from Redis at scrape time.';

export class FleetMetrics {
  readonly registry = new Registry();
  readonly #reader: FleetReader;
  readonly #g;

  constructor(reader: FleetReader) {
    this.#reader = reader;
    const registers = [this.registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name, help: `${help} ${FLEET}`, labelNames, registers });
    const deployment = [...DEPLOYMENT_LABELS, 'model_group'] as const;
    this.#g = {
      state: gauge(
        'litellm_deployment_state',
        'LLM Deployment Analytics - The state of the deployment: 0 = healthy, 1 = partial outage (failures counted in the window), 2 = complete outage (cooling down).',
        DEPLOYMENT_LABELS,
      ),
      rpmLimit: gauge(
        'litellm_deployment_rpm_limit',
        'Deployment RPM limit found in config.',
        DEPLOYMENT_LABELS,
      ),
      tpmLimit: gauge(
        'litellm_deployment_tpm_limit',
        'Deployment TPM limit found in config.',
        DEPLOYMENT_LABELS,
      ),
      remainingRequests: gauge(
        'litellm_remaining_requests_metric',
        'Remaining requests for model in the current window: configured rpm minus requests routed to it.',
        REMAINING_LABELS,
      ),
      remainingTokens: gauge(
        'litellm_remaining_tokens_metric',
        'Remaining tokens for model in the current window: configured tpm minus tokens routed to it.',
        REMAINING_LABELS,
      ),
      rpmUsed: gauge(
        'switchyard_deployment_rpm_used',
        'Requests routed to the deployment in the current window.',
        deployment,
      ),
      tpmUsed: gauge(
        'switchyard_deployment_tpm_used',
        'Tokens routed to the deployment in the current window.',
        deployment,
      ),
      inFlight: gauge(
        'switchyard_deployment_in_flight',
        'Requests in flight to the deployment across all workers.',
        deployment,
      ),
      cooldown: gauge(
        'switchyard_deployment_cooldown_remaining_seconds',
        'Seconds until the deployment stops cooling down (0 when it is not).',
        deployment,
      ),
      jobs: gauge(
        'switchyard_queue_jobs',
        'Jobs in the queue by BullMQ state, summed over its shards (queue_shards).',
        ['queue', 'state'],
      ),
    };
  }

  /** Reads Redis, then renders; a Redis error rejects (the route answers 503). */
  async render(): Promise<{ contentType: string; body: string }> {
    this.#set(await this.#reader.read());
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  #set(snapshot: FleetSnapshot): void {
    const now = snapshot.atMs;
    const g = this.#g;
    // Reset first: a deployment removed from the list must not linger with its last value.
    for (const gauge of Object.values(g)) gauge.reset();
    const { queue } = snapshot;
    for (const s of QUEUE_STATES) g.jobs.set({ queue: queue.name, state: s }, queue.counts[s]);
    for (const d of snapshot.deployments) {
      const s = d.status;
      const labels = {
        litellm_model_name: d.litellmModel,
        model_id: d.id,
        api_base: d.apiBase,
        api_provider: d.provider,
      };
      const withGroup = { ...labels, model_group: d.group };
      const cooling = s.cooldownUntilMs > now;
      g.state.set(
        labels,
        cooling
          ? DEPLOYMENT_STATE.outage
          : s.fails > 0
            ? DEPLOYMENT_STATE.partialOutage
            : DEPLOYMENT_STATE.healthy,
      );
      g.rpmUsed.set(withGroup, s.rpmUsed);
      g.tpmUsed.set(withGroup, s.tpmUsed);
      g.inFlight.set(withGroup, s.inflight);
      g.cooldown.set(withGroup, cooling ? (s.cooldownUntilMs - now) / 1000 : 0);
      if (d.rpm !== undefined) {
        g.rpmLimit.set(labels, d.rpm);
        g.remainingRequests.set(withGroup, Math.max(0, d.rpm - s.rpmUsed));
      }
      if (d.tpm !== undefined) {
        g.tpmLimit.set(labels, d.tpm);
        g.remainingTokens.set(withGroup, Math.max(0, d.tpm - s.tpmUsed));
      }
    }
  }
}
