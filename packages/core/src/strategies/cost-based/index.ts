// LiteLLM `cost-based-routing` (§2.6): the cheapest deployment first.
import { pricePerToken } from '../../cost/price.ts';
import { sortByScore } from '../sort-by-score.ts';
import type { Candidate, RoutingStrategy } from '../types.ts';

/** Input + output USD per token, the score LiteLLM sorts by; Infinity (last) when the price is unknown. */
function costScore(candidate: Candidate): number {
  const price = pricePerToken(candidate.deployment);
  return price ? price.input + price.output : Infinity;
}

/**
 * Cheapest first by model_info prices, else the genai-prices dataset; unknown prices last (LiteLLM
 * assumes $5 per token, which also puts them last); equal prices in random order so equally cheap
 * deployments share load. All traffic goes to the cheapest until Lua finds it saturated or cooling down.
 */
export const costBased: RoutingStrategy = {
  name: 'cost-based-routing',
  rank(candidates, ctx) {
    return sortByScore(candidates, costScore, ctx.random);
  },
};
