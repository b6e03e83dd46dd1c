// Exact rpm / tpm / max_parallel_requests across three worker processes, checked at the provider:
// the fake enforces the same limits itself, so any oversubscription shows up as its own 429s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from '../integration/harness.ts';
import { busiestWindow, countBy, enqueueAll } from './measure.ts';

const WINDOW_MS = 2000;
const RPM = 20;
const TPM = 220;
// Routers often carry a default cap; the rpm/tpm deployments lift it so only the limit under test binds.
const UNCAPPED = { max_parallel_requests: 1000 };

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'paced', 'paced-a', { rpm: RPM, ...UNCAPPED }),
        openaiDeployment(fake, 'paced', 'paced-b', { rpm: RPM, ...UNCAPPED }),
        openaiDeployment(fake, 'tokens', 'tok-a', { tpm: TPM, ...UNCAPPED }),
        openaiDeployment(fake, 'parallel', 'par-x', { max_parallel_requests: 3 }),
        openaiDeployment(fake, 'default-parallel', 'par-d'),
      ],
      router_settings: { default_max_parallel_requests: 2 },
    }),
    fake: {
      latencyMs: [1, 5],
      rateWindowMs: WINDOW_MS,
      modelLimits: {
        'paced-a': { rpm: RPM },
        'paced-b': { rpm: RPM },
        'par-x': { maxConcurrent: 3 },
        'par-d': { maxConcurrent: 2 },
      },
      rules: [
        { match: { model: 'par-x' }, latencyMs: 200 },
        { match: { model: 'par-d' }, latencyMs: 200 },
      ],
      logLimit: 10_000,
    },
    workers: 3,
    concurrency: 30,
    env: { SWITCHYARD_WINDOW_MS: String(WINDOW_MS) },
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('shared limits across worker processes', () => {
  it('paces an overload to rpm with zero provider 429s', async () => {
    stack.fake.reset();
    const jobs = 150;
    const started = Date.now();
    const results = await enqueueAll(
      stack.client,
      Array.from({ length: jobs }, (_, i) => chat('paced', `p${i}`)),
    );
    const elapsed = Date.now() - started;

    expect(results).toHaveLength(jobs);
    // No attempt was ever answered with a 429: overflow waited instead of being retried.
    for (const r of results) expect(r.routing.attempts).toHaveLength(1);
    const stats = stack.fake.stats();
    expect(stats.models['paced-a']?.rateLimited).toBe(0);
    expect(stats.models['paced-b']?.rateLimited).toBe(0);
    expect((stats.models['paced-a']?.ok ?? 0) + (stats.models['paced-b']?.ok ?? 0)).toBe(jobs);
    // The busiest sliding window at the provider holds exactly rpm requests: full use, never more.
    expect(busiestWindow(stack.fake.requests, 'paced-a', WINDOW_MS)).toBe(RPM);
    expect(busiestWindow(stack.fake.requests, 'paced-b', WINDOW_MS)).toBe(RPM);
    // 150 jobs at 2 × 20 per window need at least 150/40 − 1 further windows after the first.
    expect(elapsed).toBeGreaterThanOrEqual((jobs / (2 * RPM) - 1) * WINDOW_MS);
    console.log(`rpm: ${jobs} jobs in ${elapsed} ms, by deployment`, Object.fromEntries(countBy(results)));
  });

  it('paces an overload to tpm, counting real usage', async () => {
    stack.fake.reset();
    const jobs = 40;
    // ~22 real tokens each (10 prompt + 12 echoed), estimated at 26 until usage corrects it.
    const bodies = Array.from({ length: jobs }, (_, i) => ({
      ...chat('tokens', `${'x'.repeat(36)}${String(i).padStart(4, '0')}`),
      max_tokens: 12,
    }));
    const started = Date.now();
    const results = await enqueueAll(stack.client, bodies);
    const elapsed = Date.now() - started;

    const tokensOf = new Map<string, number>();
    let total = 0;
    for (const [i, r] of results.entries()) {
      const used = (r.usage as { total_tokens: number }).total_tokens;
      tokensOf.set(bodies[i]!.messages[0]!.content, used);
      total += used;
    }
    const weight = (req: { body: unknown }) =>
      tokensOf.get((req.body as { messages: { content: string }[] }).messages[0]!.content) ?? 0;
    const busiest = busiestWindow(stack.fake.requests, 'tok-a', WINDOW_MS, weight);
    expect(busiest).toBeLessThanOrEqual(TPM);
    expect(busiest).toBeGreaterThan(TPM / 2);
    expect(elapsed).toBeGreaterThanOrEqual((total / TPM - 1) * WINDOW_MS);
    console.log(`tpm: ${total} tokens in ${elapsed} ms, busiest window ${busiest} tokens`);
  });

  it('never exceeds max_parallel_requests at the provider, and reaches it', async () => {
    stack.fake.reset();
    const results = await enqueueAll(
      stack.client,
      Array.from({ length: 30 }, (_, i) => chat('parallel', `c${i}`)),
    );
    expect(countBy(results).get('par-x')).toBe(30);
    const s = stack.fake.stats().models['par-x'];
    expect(s?.maxConcurrentSeen).toBe(3);
    expect(s?.rateLimited).toBe(0);
  });

  it('applies router_settings.default_max_parallel_requests to deployments without their own', async () => {
    stack.fake.reset();
    const results = await enqueueAll(
      stack.client,
      Array.from({ length: 16 }, (_, i) => chat('default-parallel', `d${i}`)),
    );
    expect(countBy(results).get('par-d')).toBe(16);
    const s = stack.fake.stats().models['par-d'];
    expect(s?.maxConcurrentSeen).toBe(2);
    expect(s?.rateLimited).toBe(0);
  });
});
