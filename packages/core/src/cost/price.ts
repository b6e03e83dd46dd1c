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

/** USD per unit for the endpoints billed by something other than tokens. */
export interface UnitPrices {
  perImage?: number;
  perSecond?: number;
  perCharacter?: number;
  perQuery?: number;
}

/**
 * LiteLLM's `output_cost_per_image`, `input_cost_per_second`, `input_cost_per_character` and
 * `input_cost_per_query` from model_info / litellm_params; a per-second price missing there comes from the
 * dataset's per-audio-hour price (whisper-1 and its kin). The dataset has no per-image or per-character price.
 */
export function unitPrices(deployment: Deployment): UnitPrices {
  const { info } = deployment;
  const out: UnitPrices = {};
  if (info.outputCostPerImage !== undefined) out.perImage = info.outputCostPerImage;
  const perSecond = info.inputCostPerSecond ?? datasetModel(deployment)?.perAudioSecond;
  if (perSecond !== undefined) out.perSecond = perSecond;
  if (info.inputCostPerCharacter !== undefined) out.perCharacter = info.inputCostPerCharacter;
  if (info.inputCostPerQuery !== undefined) out.perQuery = info.inputCostPerQuery;
  return out;
}
