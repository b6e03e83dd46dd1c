// BENCH_SCALE (default 1) multiplies job counts and durations, so a quick look on a busy machine is
// `BENCH_SCALE=0.2 pnpm bench overhead`. Published numbers use 1.
const raw = Number(process.env.BENCH_SCALE ?? 1);
export const SCALE = Number.isFinite(raw) && raw > 0 ? raw : 1;

export function scaled(n: number, min = 1): number {
  return Math.max(min, Math.round(n * SCALE));
}
