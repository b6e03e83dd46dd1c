// A tiny deterministic PRNG (mulberry32) so tests, benchmarks and replays can fix `RouteContext.random`.

/** Returns a `() => number` in [0, 1) that yields the same sequence for the same 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
