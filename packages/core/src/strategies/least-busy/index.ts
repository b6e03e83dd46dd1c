// LiteLLM `least-busy` (§2.2), fed by Redis's atomic in-flight counters instead of a racy shared dict.
import { sortByScore } from '../sort-by-score.ts';
import type { RoutingStrategy } from '../types.ts';

/** Fewest requests in flight across all workers first; ties (including unknown state = 0) at random. */
export const leastBusy: RoutingStrategy = {
  name: 'least-busy',
  rank(candidates, ctx) {
    return sortByScore(candidates, (c) => c.state?.inflight ?? 0, ctx.random);
  },
};
