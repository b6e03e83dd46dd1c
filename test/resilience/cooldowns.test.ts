// Cooldowns live in Redis, so a deployment cooled by one worker gets no traffic from any worker.
import { describe, expect, it } from 'vitest';
import { chat, openaiDeployment } from '../integration/harness.ts';
import { requestsTo, sleep, useStack } from './support.ts';

const COOLDOWN_MS = 2000;

/**
 * Both stacks run each worker with ONE slot and the fake answers in 100 ms: whenever the fake sees two
 * requests for a model in flight at once (`maxConcurrentSeen` 2), two different worker processes sent them.
 */
const pairedStack = (routerSettings: object) =>
  useStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'cool', 'cool-a'),
        openaiDeployment(fake, 'cool', 'cool-b'),
        openaiDeployment(fake, 'rl', 'rl-a'),
        openaiDeployment(fake, 'rl', 'rl-b'),
        openaiDeployment(fake, 'solo', 'solo-1'),
      ],
      router_settings: { allowed_fails: 1, cooldown_time: COOLDOWN_MS / 1000, ...routerSettings },
    }),
    fake: { latencyMs: 100 },
    concurrency: 1,
  });

/** Sends jobs to `group`, `width` at a time, until `done()` holds. */
async function trafficUntil(
  stack: ReturnType<typeof pairedStack>,
  group: string,
  done: () => boolean,
  width = 2,
) {
  for (let i = 0; !done(); i++) {
    const batch = Array.from({ length: width }, (_, k) => chat(group, `q${i}-${k}`));
    await Promise.all(batch.map((body) => stack().client.completion(body)));
  }
}

describe('shared cooldowns', () => {
  const stack = pairedStack({ num_retries: 2 });

  it('after allowed_fails (1) is exceeded, no worker routes to the deployment for cooldown_time; then it returns', async () => {
    stack().fake.script([
      { match: { model: 'cool-a' }, fault: { kind: 'error', status: 500 }, failFirst: 2 },
    ]);
    // One job at a time, so no request is in flight to cool-a when it cools. Failures on cool-a are
    // retried at once on cool-b, so every job still succeeds.
    await trafficUntil(stack, 'cool', () => requestsTo(stack().fake, 'cool-a').length >= 2, 1);
    const failures = requestsTo(stack().fake, 'cool-a');
    expect(failures.map((r) => r.status)).toEqual([500, 500]);
    const cooledAt = failures[1]!.time;

    // During the cooldown: traffic from both workers, none of it to cool-a.
    stack().fake.reset();
    await trafficUntil(stack, 'cool', () => Date.now() > cooledAt + COOLDOWN_MS - 600);
    // A slow batch may run past the cooldown's end: only requests that arrived inside it count.
    const inside = (model: string) =>
      requestsTo(stack().fake, model).filter((r) => r.time < cooledAt + COOLDOWN_MS).length;
    expect(inside('cool-a')).toBe(0);
    expect(inside('cool-b')).toBeGreaterThanOrEqual(4);
    expect(stack().fake.stats().models['cool-b']?.maxConcurrentSeen).toBe(2);

    // After it: cool-a is back in rotation (with two deployments, 16 jobs all missing it is 2⁻¹⁶).
    await sleep(cooledAt + COOLDOWN_MS + 200 - Date.now());
    stack().fake.reset();
    await trafficUntil(stack, 'cool', () => stack().fake.stats().total.requests >= 16);
    expect(requestsTo(stack().fake, 'cool-a').length).toBeGreaterThanOrEqual(1);
  });

  it('a single 429 cools its deployment at once in a two-deployment group', async () => {
    stack().fake.script([{ match: { model: 'rl-a' }, fault: { kind: 'rate-limit' }, failFirst: 1 }]);
    await trafficUntil(stack, 'rl', () => requestsTo(stack().fake, 'rl-a').length >= 1, 1);
    const cooledAt = requestsTo(stack().fake, 'rl-a')[0]!.time;
    stack().fake.reset();
    await trafficUntil(stack, 'rl', () => Date.now() > cooledAt + COOLDOWN_MS - 600);
    const inside = (model: string) =>
      requestsTo(stack().fake, model).filter((r) => r.time < cooledAt + COOLDOWN_MS).length;
    expect(inside('rl-a')).toBe(0);
    expect(inside('rl-b')).toBeGreaterThanOrEqual(4);
  });
});

describe('a group’s only deployment', () => {
  // A 50 ms backoff keeps "retried soon" far from "waited out a 2 s cooldown" on a slow machine.
  const stack = pairedStack({
    model_group_retry_policy: { solo: { RateLimitError: { max_retries: 2, base_delay: 0.05 } } },
  });

  it('is not cooled by a single 429: the retry reaches it after the short backoff, not after cooldown_time', async () => {
    stack().fake.script([{ match: { model: 'solo-1' }, fault: { kind: 'rate-limit' }, failFirst: 1 }]);
    const r = await stack().client.completion(chat('solo'));
    expect(r.routing.attempts.map((a) => a.error?.type)).toEqual(['RateLimitError', undefined]);
    const [first, second] = requestsTo(stack().fake, 'solo-1');
    // The backoff is ≤ 50 ms; a cooled deployment would have been unreachable for 2 s.
    expect(second!.time - first!.time).toBeLessThan(COOLDOWN_MS - 500);
  });
});

describe('disable_cooldowns: true', () => {
  // Enough retries that a job bouncing between the two deployments at random always ends on rl-b.
  const stack = pairedStack({ disable_cooldowns: true, num_retries: 12 });

  it('keeps a deployment that answers 429 every time in rotation', async () => {
    stack().fake.script([{ match: { model: 'rl-a' }, fault: { kind: 'rate-limit' } }]);
    await trafficUntil(stack, 'rl', () => requestsTo(stack().fake, 'rl-b').length >= 30);
    // With cooldowns on, rl-a would get one request per 2 s (30 jobs take about 2 s); off, about one a job.
    expect(requestsTo(stack().fake, 'rl-a').length).toBeGreaterThanOrEqual(6);
    expect(requestsTo(stack().fake, 'rl-a').every((r) => r.status === 429)).toBe(true);
  });
});
