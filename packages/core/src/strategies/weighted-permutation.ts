// Weighted random order in O(n log n): Efraimidis–Spirakis keys, so P(first = i) = w_i / Σw as in random.choices.
import type { Candidate } from './types.ts';

/**
 * Order candidates by weighted random sampling without replacement. Candidates whose weight is not a
 * positive finite number go after all weighted ones, in uniform random order among themselves.
 */
export function weightedPermutation(
  candidates: readonly Candidate[],
  weight: (candidate: Candidate) => number,
  random: () => number,
): Candidate[] {
  const keyed = candidates.map((candidate) => {
    const w = weight(candidate);
    // 1 - random() is in (0, 1], so log is finite; key = ln(u) / w ranks like u^(1/w) without underflow.
    const u = 1 - random();
    return w > 0 && Number.isFinite(w)
      ? { candidate, weighted: true, key: Math.log(u) / w }
      : { candidate, weighted: false, key: u };
  });
  keyed.sort((a, b) => (a.weighted === b.weighted ? b.key - a.key : a.weighted ? -1 : 1));
  return keyed.map((k) => k.candidate);
}
