// Measurements the routing tests share: who served what, and the busiest sliding window at the provider.
import type { RoutedResult, SwitchyardClient } from '@switchyard/client';
import type { FakeRequestRecord } from '@switchyard/testkit';
import { chat } from '../integration/harness.ts';

/** How many results each deployment served. */
export function countBy(results: readonly (RoutedResult | undefined)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of results) {
    if (!r) continue;
    const id = r.routing.deploymentId;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/**
 * The largest sum of `weight` over requests to `model` whose arrival times fit in any window of
 * `windowMs` — what a provider's sliding-window limiter compares with its limit. O(n) over sorted times.
 */
export function busiestWindow(
  requests: readonly FakeRequestRecord[],
  model: string,
  windowMs: number,
  weight: (r: FakeRequestRecord) => number = () => 1,
): number {
  const hits = requests.filter((r) => r.model === model).sort((a, b) => a.time - b.time);
  let best = 0;
  let sum = 0;
  let start = 0;
  for (const hit of hits) {
    sum += weight(hit);
    // Same rule as the fake's limiter: an earlier request counts while it is less than windowMs old.
    while (hits[start]!.time <= hit.time - windowMs) sum -= weight(hits[start++]!);
    best = Math.max(best, sum);
  }
  return best;
}

/**
 * Run `total` chat jobs on `model` in waves of `wave`, each awaited before the next starts, so every
 * wave routes on what the previous ones recorded. Returns the results wave by wave.
 */
export async function inWaves(
  client: SwitchyardClient,
  model: string,
  total: number,
  wave: number,
): Promise<RoutedResult[][]> {
  const waves: RoutedResult[][] = [];
  for (let sent = 0; sent < total; sent += wave) {
    const n = Math.min(wave, total - sent);
    waves.push(
      await Promise.all(Array.from({ length: n }, (_, i) => client.completion(chat(model, `w${sent + i}`)))),
    );
  }
  return waves;
}

/** Enqueue all at once, then await every result; rejects with the first failure. */
export async function enqueueAll(
  client: SwitchyardClient,
  bodies: readonly Record<string, unknown>[],
): Promise<RoutedResult[]> {
  const ids = await client.enqueueBatch(bodies.map((body) => ({ body })));
  return (await Promise.all(ids.map((id) => client.result(id)))) as RoutedResult[];
}
