// Runs LiteLLM-style health checks from a worker (it has the credentials and the adapters): a minimal request
// per deployment, each bounded by its health_check_timeout, results shared in Redis for status and routing.
import {
  DEFAULT_HEALTH_CHECK_TIMEOUT_SEC,
  type Deployment,
  type HealthReport,
  type HealthResult,
  healthCheckBody,
  healthCheckEndpoint,
  healthReport,
  type SwitchyardError,
} from '@switchyard/core';
import type { ProviderRequest, ProviderResponse } from '@switchyard/providers';
import type { HealthStore, StoredHealth } from '@switchyard/redis-state';
import { classify } from '../job/attempt.ts';
import { deploymentMock } from '../mock-response.ts';

export interface HealthCheckDeps {
  /** The deployments of the moment (the live model list). */
  deployments: () => readonly Deployment[];
  call: (req: ProviderRequest) => Promise<ProviderResponse>;
  store: HealthStore;
}

/** Checks every deployment (or one group's) at once and stores the results; answers LiteLLM's /health shape. */
export async function checkDeployments(
  deps: HealthCheckDeps,
  group?: string,
  round?: number,
): Promise<HealthReport> {
  const all = deps.deployments().filter((d) => group === undefined || d.modelGroup === group);
  const firstUses = await deps.store.firstUses();
  const results = await Promise.all(all.map((d) => checkOne(deps, d, firstUses.get(d.modelGroup))));
  const stored = new Map<string, StoredHealth>();
  for (const r of results) {
    // A deployment that could not be checked says nothing about its health: routing keeps using it.
    if (r.checked) stored.set(r.result.deployment.id, storedOf(r.result, round));
  }
  await deps.store.write(stored);
  return healthReport(results.map((r) => r.result));
}

async function checkOne(
  deps: HealthCheckDeps,
  d: Deployment,
  firstUse: Parameters<typeof healthCheckEndpoint>[1],
): Promise<{ result: HealthResult; checked: boolean }> {
  const how = d.model.includes('*')
    ? { unsupported: 'a wildcard deployment is not checked' }
    : healthCheckEndpoint(d, firstUse);
  if ('unsupported' in how) {
    const error = { type: 'BadRequestError' as const, message: `not checked: ${how.unsupported}` };
    return { result: { deployment: d, healthy: false, error, checkedAtMs: Date.now() }, checked: false };
  }
  const timeoutMs = (d.info.healthCheckTimeoutSec ?? DEFAULT_HEALTH_CHECK_TIMEOUT_SEC) * 1000;
  const started = performance.now();
  try {
    await (deploymentMock(d) ?? deps.call)({
      endpoint: how.endpoint,
      body: { model: d.modelGroup, ...healthCheckBody(how.endpoint) },
      deployment: d,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const latencyMs = Math.round(performance.now() - started);
    return { result: { deployment: d, healthy: true, checkedAtMs: Date.now(), latencyMs }, checked: true };
  } catch (err) {
    const e: SwitchyardError = classify(err);
    const result: HealthResult = {
      deployment: d,
      healthy: false,
      error: { type: e.type, message: e.message },
      checkedAtMs: Date.now(),
      latencyMs: Math.round(performance.now() - started),
    };
    return { result, checked: true };
  }
}

function storedOf(r: HealthResult, round: number | undefined): StoredHealth {
  const out: StoredHealth = { healthy: r.healthy, checkedAtMs: r.checkedAtMs };
  if (r.error) {
    out.error = `${r.error.type}: ${r.error.message}`;
    out.errorType = r.error.type;
  }
  if (round !== undefined) out.round = round;
  return out;
}
