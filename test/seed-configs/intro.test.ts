// The Router introduction's examples (intro-*.yaml) through a real worker: A/B weights, failover, latency.
import { describe, expect, it } from 'vitest';
import { chat, useSeed } from './seed.ts';

describe('intro-ab-weights.yaml: model_info weights 0.1 / 0.9', () => {
  const stack = useSeed('intro-ab-weights.yaml');

  it('splits traffic about 10 / 90, and each answer says which deployment gave it', async () => {
    const { client, config } = stack();
    const [gpt4o, claude] = config.deployments;
    const n = 300;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => client.completion(chat('experimental', `ab ${i}`))),
    );
    const onGpt4o = results.filter((r) => r.routing.deploymentId === gpt4o!.id).length;
    const onClaude = results.filter((r) => r.routing.deploymentId === claude!.id).length;
    expect(onGpt4o + onClaude).toBe(n);
    // Binomial(300, 0.1): mean 30, sd 5.2; these bounds are more than 3 sd away.
    expect(onGpt4o).toBeGreaterThanOrEqual(12);
    expect(onGpt4o).toBeLessThanOrEqual(50);
    expect(new Set(results.map((r) => r.routing.provider))).toEqual(new Set(['openai', 'anthropic']));
    // Each fake saw exactly the requests routed to it.
    expect(stack().requestsTo(0)).toBe(onGpt4o);
    expect(stack().requestsTo(1)).toBe(onClaude);
  });
});

describe('intro-failover.yaml: one pool, two providers', () => {
  const stack = useSeed('intro-failover.yaml');

  it('spreads requests over both deployments', async () => {
    const { client } = stack();
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => client.completion(chat('claude-fast', `spread ${i}`))),
    );
    const providers = results.map((r) => r.routing.provider);
    expect(providers).toContain('anthropic');
    expect(providers).toContain('openai');
  });

  for (const [what, fault] of [
    ['down', { kind: 'error', status: 500 }],
    ['rate-limited', { kind: 'rate-limit', retryAfterSec: 30 }],
  ] as const) {
    // Each fault gets its own stack: a cooldown the first one leaves (failure rate, or the 30 s retry-after)
    // would keep the second one's requests off Anthropic, and the test would prove nothing (it failed ~1 in 7).
    describe(`while the Anthropic deployment is ${what}`, () => {
      const faulted = useSeed('intro-failover.yaml');

      it(`answers every caller from gpt-4o-mini while the Anthropic deployment is ${what}`, async () => {
        const { client, fakes, config } = faulted();
        fakes[0]!.script([{ fault }]);
        // rpm weights send 1 in 6 first picks to Anthropic: with 60 callers some surely go there.
        const results = await Promise.all(
          Array.from({ length: 60 }, (_, i) => client.completion(chat('claude-fast', `${what} ${i}`))),
        );
        expect(results.every((r) => r.routing.deploymentId === config.deployments[1]!.id)).toBe(true);
        expect(fakes[0]!.requests.some((r) => r.status !== undefined && r.status >= 429)).toBe(true);
      });
    });
  }
});

describe('intro-latency.yaml: latency-based routing', () => {
  // The Anthropic deployment answers in 150 ms, the OpenAI one at once.
  const stack = useSeed('intro-latency.yaml', { fakes: (i) => ({ latencyMs: i === 0 ? 150 : 0 }) });

  it('sends new requests to the fastest deployment once both are measured', async () => {
    const { client, config } = stack();
    // Both deployments get measured first (unmeasured ones are explored), one request at a time.
    for (let i = 0; i < 6; i++) await client.completion(chat('claude-fast', `warm ${i}`));
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await client.completion(chat('claude-fast', `fast ${i}`)));
    const fastest = results.filter((r) => r.routing.deploymentId === config.deployments[1]!.id).length;
    expect(fastest).toBeGreaterThanOrEqual(18);
  });
});
