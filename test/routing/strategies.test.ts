// Each routing strategy end to end through two worker processes sharing Redis: the choice follows the
// shared counters (latency, usage, in-flight) or the user's own module, not a per-process view.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { RoutedResult } from '@switchyard/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, type StackOptions, startStack } from '../integration/harness.ts';
import { countBy, inWaves } from './measure.ts';

/** One stack for the enclosing describe block. */
function stackFor(opts: StackOptions): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(opts);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  return () => stack!;
}

/** Waves allowed to pass before routing avoids a slowed deployment (2 seen at load 10 on 2 cores). */
const MAX_LEARNING_WAVES = 8;

function share(results: readonly RoutedResult[], id: string): number {
  return (countBy(results).get(id) ?? 0) / results.length;
}

describe('latency-based-routing', () => {
  const stack = stackFor({
    config: (fake) => ({
      model_list: [openaiDeployment(fake, 'lat', 'lat-a'), openaiDeployment(fake, 'lat', 'lat-b')],
      router_settings: { routing_strategy: 'latency-based-routing' },
    }),
    fake: { latencyMs: 5 },
  });

  it('moves traffic away from a deployment that slows down', async () => {
    const { client, fake } = stack();
    // Ten warm samples each (a deployment id pins the job): the average holds the last ten, so a cold
    // first call that a loaded machine made slow cannot leave one deployment looking slower for good
    // (routing stops sending it traffic, so nothing would ever correct its average).
    for (const id of ['lat-a', 'lat-b']) await inWaves(client, id, 10, 5);
    const before = (await inWaves(client, 'lat', 30, 10)).slice(-2).flat();
    // Slow down whichever deployment latency routing currently prefers, so a router that ignores
    // the slowdown keeps sending it at least half.
    const preferred = share(before, 'lat-a') >= 0.5 ? 'lat-a' : 'lat-b';
    expect(share(before, preferred)).toBeGreaterThanOrEqual(0.5);
    // 200× the other's 5 ms: one slow sample outweighs the jitter a loaded machine adds to fast calls.
    fake.script([{ match: { model: preferred }, latencyMs: 1000 }]);

    // Learning takes as many waves as the outcome writes and the 250 ms snapshots lag behind the
    // answers, which a loaded machine stretches: wait for the first wave that avoids the slow one.
    let learnt = 0;
    while ((await inWaves(client, 'lat', 10, 10)).flat().some((r) => r.routing.deploymentId === preferred)) {
      learnt++;
      expect(learnt, 'waves still sent to the slowed deployment').toBeLessThan(MAX_LEARNING_WAVES);
    }
    const settled = (await inWaves(client, 'lat', 50, 10)).flat();
    const slowShare = share(settled, preferred);
    console.log(
      `latency: ${preferred} had ${share(before, preferred)} before, ${slowShare} after ${learnt + 1} waves`,
    );
    expect(slowShare).toBeLessThan(0.2);
  });
});

describe('usage-based-routing-v2', () => {
  const stack = stackFor({
    config: (fake) => ({
      model_list: [openaiDeployment(fake, 'usage', 'use-a'), openaiDeployment(fake, 'usage', 'use-b')],
      router_settings: { routing_strategy: 'usage-based-routing-v2' },
    }),
    fake: { latencyMs: [1, 5] },
  });

  it('sends new traffic to the deployment with less usage in the window', async () => {
    const { client } = stack();
    // Load use-a alone (a deployment id pins the job): ~150 tokens a request, ~3000 in all, far beyond
    // what the short jobs below can add to use-b (~6 tokens each, 261 estimated while in flight).
    const heavy = 'x'.repeat(400);
    for (let i = 0; i < 20; i++) await client.completion({ ...chat('use-a', `${heavy}${i}`), max_tokens: 5 });
    // Workers rank on a snapshot of Redis at most a refresh period old (250 ms): let the preload's age out.
    await sleep(600);
    const results = (await inWaves(client, 'usage', 20, 2)).flat();
    expect(countBy(results)).toEqual(new Map([['use-b', 20]]));
  });
});

describe('least-busy', () => {
  const stack = stackFor({
    config: (fake) => ({
      model_list: [openaiDeployment(fake, 'busy', 'busy-slow'), openaiDeployment(fake, 'busy', 'busy-fast')],
      router_settings: { routing_strategy: 'least-busy' },
    }),
    fake: { latencyMs: 20, rules: [{ match: { model: 'busy-slow' }, latencyMs: 1000 }] },
  });

  it('sends a steady stream to the deployment with fewer requests in flight', async () => {
    const { client } = stack();
    // Random choice would send half to the slow one; in-flight counts pile up there instead.
    const pending: Promise<RoutedResult>[] = [];
    for (let i = 0; i < 100; i++) {
      pending.push(client.completion(chat('busy', `b${i}`)));
      await sleep(25);
    }
    const results = await Promise.all(pending);
    const slowShare = share(results, 'busy-slow');
    console.log(`least-busy: ${slowShare} of a steady stream to the slow deployment`);
    expect(slowShare).toBeGreaterThan(0);
    expect(slowShare).toBeLessThan(0.25);
  });
});

describe('custom_routing_strategy', () => {
  const stack = stackFor({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'custom', 'size-small'),
        openaiDeployment(fake, 'custom', 'size-large'),
      ],
      router_settings: {
        custom_routing_strategy: fileURLToPath(new URL('./fixtures/by-size.ts', import.meta.url)),
      },
    }),
    fake: { latencyMs: [1, 5] },
  });

  it("follows the module's choice for every job", async () => {
    const { client } = stack();
    const long = 'lorem ipsum dolor sit amet '.repeat(40);
    const [short, big] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, (_, i) => client.completion(chat('custom', `s${i}`)))),
      Promise.all(Array.from({ length: 10 }, (_, i) => client.completion(chat('custom', `${long}${i}`)))),
    ]);
    expect(countBy(short)).toEqual(new Map([['size-small', 20]]));
    expect(countBy(big)).toEqual(new Map([['size-large', 10]]));
  });
});
