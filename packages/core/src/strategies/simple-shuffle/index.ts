// LiteLLM's default `simple-shuffle` (§2.1) as a whole weighted random order instead of a single pick.
import type { Candidate, RoutingStrategy } from '../types.ts';
import { weightedPermutation } from '../weighted-permutation.ts';

type WeightField = 'weight' | 'rpm' | 'tpm';

/**
 * The first field any candidate sets, in LiteLLM's precedence: `weight`, else `rpm`, else `tpm`.
 * Candidates missing the chosen field weigh 0 and go last, as `random.choices` never picks them.
 */
function weightField(candidates: readonly Candidate[]): WeightField | undefined {
  const fields: readonly WeightField[] = ['weight', 'rpm', 'tpm'];
  return fields.find((field) => candidates.some((c) => c.deployment[field] !== undefined));
}

/**
 * Weighted random order: the first element is distributed exactly like LiteLLM's pick (P = w / Σw);
 * later elements are what a redraw without the earlier ones would give, so when Lua skips a saturated
 * deployment the traffic still spreads by weight. Uniform when no candidate has a weight, rpm or tpm.
 */
export const simpleShuffle: RoutingStrategy = {
  name: 'simple-shuffle',
  readsState: false,
  rank(candidates, ctx) {
    const field = weightField(candidates);
    const weightOf = field === undefined ? () => 1 : (c: Candidate) => c.deployment[field] ?? 0;
    return weightedPermutation(candidates, weightOf, ctx.random);
  },
};
