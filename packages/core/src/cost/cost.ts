// The USD cost of one response, as reported in `routing.cost`.
import type { Deployment } from '../config/types.ts';
import { pricePerToken } from './price.ts';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/**
 * USD for this usage at the deployment's per-token prices. Returns 0 when the price is unknown (no
 * model_info prices and not in the dataset) — so 0 means "free or unknown", not necessarily free.
 */
export function costOf(deployment: Deployment, usage: TokenUsage): number {
  const price = pricePerToken(deployment);
  if (!price) return 0;
  return usage.promptTokens * price.input + usage.completionTokens * price.output;
}
