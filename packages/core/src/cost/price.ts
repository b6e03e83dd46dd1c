// Per-token prices of a deployment: the user's model_info first (LiteLLM custom prices), else the dataset.
import type { Deployment } from '../config/types.ts';
import { datasetModel } from './dataset.ts';

export interface TokenPrice {
  /** USD per prompt token. */
  input: number;
  /** USD per completion token. */
  output: number;
}

// Keyed by the Deployment object (not just its id) so a runtime update of the same id with new prices is
// seen, and dropped deployments are garbage-collected. Hot-path cost: one WeakMap lookup.
const cache = new WeakMap<Deployment, TokenPrice | null>();

/**
 * `info.inputCostPerToken` / `info.outputCostPerToken` when either is set (a missing one counts as 0),
 * else the dataset price for provider + model (or `info.baseModel`), else undefined (unknown price).
 */
export function pricePerToken(deployment: Deployment): TokenPrice | undefined {
  let price = cache.get(deployment);
  if (price === undefined) {
    price = resolve(deployment);
    cache.set(deployment, price);
  }
  return price ?? undefined;
}

function resolve(deployment: Deployment): TokenPrice | null {
  const { inputCostPerToken, outputCostPerToken } = deployment.info;
  if (inputCostPerToken !== undefined || outputCostPerToken !== undefined) {
    return { input: inputCostPerToken ?? 0, output: outputCostPerToken ?? 0 };
  }
  const entry = datasetModel(deployment);
  return entry ? { input: entry.input, output: entry.output } : null;
}

/** Where a deployment's price comes from: its config (`model_info` / `litellm_params`), the dataset, or nowhere. */
export type PriceSource = 'config' | 'dataset' | 'unknown';

export function priceSource(deployment: Deployment): PriceSource {
  const { inputCostPerToken, outputCostPerToken } = deployment.info;
  if (inputCostPerToken !== undefined || outputCostPerToken !== undefined) return 'config';
  return pricePerToken(deployment) ? 'dataset' : 'unknown';
}
