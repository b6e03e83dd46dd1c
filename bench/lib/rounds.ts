// Interleaved rounds for comparing variants on a noisy machine: every variant runs once per round, and the
// order turns by one each round, so no variant always runs first or always follows the same one (measured:
// the run right after bare BullMQ's was the slowest of its round in 2 of 5 rounds, with a fixed order).

export interface RoundResult<V, R> {
  variant: V;
  round: number;
  result: R;
}

/** BENCH_ROUNDS=N overrides a scenario's default round count. */
export function roundsFromEnv(fallback: number): number {
  const n = Math.floor(Number(process.env.BENCH_ROUNDS));
  return n >= 1 ? n : fallback;
}

export async function interleaved<V, R>(
  variants: readonly V[],
  rounds: number,
  run: (variant: V, round: number) => Promise<R>,
): Promise<RoundResult<V, R>[]> {
  const out: RoundResult<V, R>[] = [];
  for (let round = 1; round <= rounds; round++) {
    const shift = (round - 1) % variants.length;
    for (const variant of [...variants.slice(shift), ...variants.slice(0, shift)]) {
      out.push({ variant, round, result: await run(variant, round) });
    }
  }
  return out;
}

/** Mean and standard error of the mean (n − 1 in the variance); SE is NaN for one value. */
export function meanAndError(values: readonly number[]): { mean: number; se: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(variance / n) };
}
