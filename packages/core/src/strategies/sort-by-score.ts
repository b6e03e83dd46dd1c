// The one ordering primitive the score-based strategies share: ascending score, random tie-break, O(n log n).
import type { Candidate } from './types.ts';

/**
 * Sort candidates by `score` ascending (lower is better); equal scores are ordered uniformly at random
 * using one `random()` draw per candidate. Scores may be `Infinity` (worst) but must not be NaN.
 */
export function sortByScore(
  candidates: readonly Candidate[],
  score: (candidate: Candidate) => number,
  random: () => number,
): Candidate[] {
  const keyed = candidates.map((candidate) => ({ candidate, score: score(candidate), tie: random() }));
  keyed.sort((a, b) => (a.score === b.score ? a.tie - b.tie : a.score < b.score ? -1 : 1));
  return keyed.map((k) => k.candidate);
}
