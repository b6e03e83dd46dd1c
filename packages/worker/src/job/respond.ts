// Stage 4: the job's result — the provider's body plus `routing`; a cache hit goes through the same builder.
import {
  type AttemptRecord,
  costOf,
  type Deployment,
  type RoutedResult,
  routedResult,
} from '@switchyard/core';
import type { ProviderResponse } from '@switchyard/providers';
import type { CachedResponse } from '../response-cache.ts';

export function respond(
  group: string,
  deployment: Deployment,
  response: ProviderResponse,
  latencyMs: number,
  attempts: AttemptRecord[],
): RoutedResult {
  return routedResult(response.body, {
    modelGroup: group,
    deploymentId: deployment.id,
    provider: deployment.provider,
    latencyMs,
    cost: costOf(deployment, response.usage),
    cacheHit: false,
    attempts,
  });
}

/** A result answered from the cache: no attempt, no cost, the deployment that first answered. */
export function respondFromCache(hit: CachedResponse): RoutedResult {
  return routedResult(hit.body, {
    modelGroup: hit.modelGroup,
    deploymentId: hit.deploymentId,
    provider: hit.provider,
    latencyMs: 0,
    cost: 0,
    cacheHit: true,
    attempts: [],
  });
}
