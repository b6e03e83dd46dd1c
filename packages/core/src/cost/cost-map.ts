// LiteLLM's get_model_cost_map, per deployment: the prices Switchyard charges with, and where they come from.
import { buildDeployment } from '../config/deployment.ts';
import type { Env } from '../config/env.ts';
import { redactEntry, type StoredModelEntry } from '../config/model-entries.ts';
import type { Deployment } from '../config/types.ts';
import { type PriceSource, pricePerToken, priceSource } from './price.ts';

export interface DeploymentPrice {
  /** model_info.id */
  id: string;
  modelGroup: string;
  /** `litellm_params.model` as written. */
  model: string;
  /** USD per token; 0 when unknown. */
  inputCostPerToken: number;
  outputCostPerToken: number;
  source: PriceSource;
}

// Reading limits and prices needs no credentials: every variable reads as a placeholder, secrets are left out.
const NO_SECRETS: Env = new Proxy({}, { get: () => 'placeholder' });

/**
 * The stored model list as Deployments for display (status, cost map): limits, prices, groups — without
 * credentials, so never usable for a call. Entries that do not build are left out.
 */
export function describedDeployments(entries: readonly StoredModelEntry[]): Deployment[] {
  const out: Deployment[] = [];
  entries.forEach((entry, i) => {
    const built = buildDeployment(redactEntry(entry), `model_list[${i}]`, {
      env: NO_SECRETS,
      issues: [],
      warnings: [],
    });
    if (built) out.push({ ...built.deployment, id: entry.model_info.id });
  });
  return out;
}

/** The stored model list's prices, one line per deployment that builds (same rules as the workers'). */
export function modelCostMap(entries: readonly StoredModelEntry[]): DeploymentPrice[] {
  const out: DeploymentPrice[] = [];
  for (const d of describedDeployments(entries)) {
    const price = pricePerToken(d);
    out.push({
      id: d.id,
      modelGroup: d.modelGroup,
      model: d.litellmModel,
      inputCostPerToken: price?.input ?? 0,
      outputCostPerToken: price?.output ?? 0,
      source: priceSource(d),
    });
  }
  return out;
}
