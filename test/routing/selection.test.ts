// Which deployment a job may and should use, through two worker processes under cost-based routing:
// prices, order tiers, tags, pre-call context-window checks, and the USD cost on every result.
import { setTimeout as sleep } from 'node:timers/promises';
import { CompletionError } from '@switchyard/client';
import type { FakeProvider } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from '../integration/harness.ts';
import { busiestWindow, countBy, enqueueAll } from './measure.ts';

const WINDOW_MS = 2000;
const COOLDOWN_SEC = 1.5;
const CHEAP = { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 };
const DEAR = { input_cost_per_token: 1e-5, output_cost_per_token: 3e-5 };
// gpt-4o-mini in the genai-prices dataset: $0.15 / $0.60 per million tokens.
const MINI = { input: 0.15e-6, output: 0.6e-6 };

/** A deployment whose model_info also carries prices and/or a context window. */
function withInfo(fake: FakeProvider, group: string, model: string, info: object, params: object = {}) {
  const d = openaiDeployment(fake, group, model, params);
  return { ...d, model_info: { ...d.model_info, ...info } };
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({
      model_list: [
        withInfo(fake, 'priced', 'cheap', CHEAP, { rpm: 5 }),
        withInfo(fake, 'priced', 'dear', DEAR),
        openaiDeployment(fake, 'tiered', 'primary', { order: 1, rpm: 4 }),
        openaiDeployment(fake, 'tiered', 'backup', { order: 2 }),
        openaiDeployment(fake, 'regional', 'eu-1', { tags: ['eu'] }),
        openaiDeployment(fake, 'regional', 'us-1', { tags: ['us'] }),
        withInfo(fake, 'sized', 'small-ctx', { ...CHEAP, max_input_tokens: 50 }),
        withInfo(fake, 'sized', 'large-ctx', { ...DEAR, max_input_tokens: 10_000 }),
        withInfo(fake, 'tiny', 'tiny-ctx', { max_input_tokens: 50 }),
        withInfo(fake, 'tiny-alone', 'tiny-alone-ctx', { max_input_tokens: 50 }),
        openaiDeployment(fake, 'mini', 'gpt-4o-mini'),
      ],
      router_settings: {
        routing_strategy: 'cost-based-routing',
        enable_pre_call_checks: true,
        context_window_fallbacks: [{ tiny: ['sized'] }],
        num_retries: 2,
        allowed_fails: 0,
        cooldown_time: COOLDOWN_SEC,
      },
    }),
    fake: {
      latencyMs: [1, 5],
      rateWindowMs: WINDOW_MS,
      modelLimits: { cheap: { rpm: 5 }, primary: { rpm: 4 } },
    },
    workers: 2,
    concurrency: 20,
    env: { SWITCHYARD_WINDOW_MS: String(WINDOW_MS) },
  });
});

afterAll(async () => {
  await stack?.stop();
});

/** Run `n` jobs one after another (each routes on what the previous one recorded). */
async function oneByOne(model: string, n: number) {
  const results = [];
  for (let i = 0; i < n; i++) results.push(await stack.client.completion(chat(model, `s${i}`)));
  return results;
}

describe('cost-based routing', () => {
  it('sends everything to the cheapest deployment while it has capacity, with its cost in USD', async () => {
    const results = await oneByOne('priced', 5);
    expect(countBy(results).get('cheap')).toBe(5);
    for (const r of results) {
      const usage = r.usage as { prompt_tokens: number; completion_tokens: number };
      expect(usage.prompt_tokens).toBeGreaterThan(0);
      expect(r.routing.cost).toBeCloseTo(
        usage.prompt_tokens * CHEAP.input_cost_per_token +
          usage.completion_tokens * CHEAP.output_cost_per_token,
        15,
      );
    }
  });

  it('overflows to the dearer deployment once the cheap one reaches its rpm, without 429s', async () => {
    await sleep(WINDOW_MS + 100); // the previous test filled cheap's window
    stack.fake.reset();
    const results = await enqueueAll(
      stack.client,
      Array.from({ length: 20 }, (_, i) => chat('priced', `b${i}`)),
    );
    const counts = countBy(results);
    expect(busiestWindow(stack.fake.requests, 'cheap', WINDOW_MS)).toBe(5);
    expect(counts.get('dear')).toBeGreaterThanOrEqual(10);
    expect(stack.fake.stats().models.cheap?.rateLimited ?? 0).toBe(0);
    for (const r of results) {
      const usage = r.usage as { prompt_tokens: number; completion_tokens: number };
      const price = r.routing.deploymentId === 'cheap' ? CHEAP : DEAR;
      expect(r.routing.cost).toBeCloseTo(
        usage.prompt_tokens * price.input_cost_per_token +
          usage.completion_tokens * price.output_cost_per_token,
        15,
      );
    }
  });

  it('prices a known model from the dataset when model_info has no prices', async () => {
    const r = await stack.client.completion(chat('mini', 'price me'));
    const usage = r.usage as { prompt_tokens: number; completion_tokens: number };
    expect(r.routing.deploymentId).toBe('gpt-4o-mini');
    expect(r.routing.cost).toBeGreaterThan(0);
    expect(r.routing.cost).toBeCloseTo(
      usage.prompt_tokens * MINI.input + usage.completion_tokens * MINI.output,
      15,
    );
  });
});

describe('order tiers', () => {
  it('uses order 1 alone while it has room, order 2 only for its overflow', async () => {
    const calm = await oneByOne('tiered', 4);
    expect(countBy(calm).get('primary')).toBe(4);
    await sleep(WINDOW_MS + 100);
    stack.fake.reset();
    const burst = await enqueueAll(
      stack.client,
      Array.from({ length: 12 }, (_, i) => chat('tiered', `t${i}`)),
    );
    expect(busiestWindow(stack.fake.requests, 'primary', WINDOW_MS)).toBe(4);
    expect(countBy(burst).get('backup')).toBeGreaterThanOrEqual(6);
    expect(stack.fake.stats().models.primary?.rateLimited ?? 0).toBe(0);
  });

  it('uses order 2 while order 1 cools down, and order 1 again after', async () => {
    await sleep(WINDOW_MS + 100);
    stack.fake.script([{ match: { model: 'primary' }, fault: { kind: 'error', status: 500 } }]);
    const during = await oneByOne('tiered', 6);
    // The first job met the failure and was retried on the backup; the cooldown spared the others.
    expect(countBy(during).get('backup')).toBe(6);
    expect(during[0]!.routing.attempts.map((a) => a.deploymentId)).toEqual(['primary', 'backup']);
    expect(during[0]!.routing.attempts[0]!.error?.type).toBe('InternalServerError');
    for (const r of during.slice(1)) expect(r.routing.attempts).toHaveLength(1);

    stack.fake.reset();
    await sleep(COOLDOWN_SEC * 1000 + 200);
    const after = await oneByOne('tiered', 3);
    expect(countBy(after).get('primary')).toBe(3);
  });
});

describe('tag routing', () => {
  it('sends a tagged job only to deployments carrying one of its tags', async () => {
    const enqueue = (tag: string, i: number) =>
      stack.client.enqueue('chat.completions', chat('regional', `${tag}${i}`), { metadata: { tags: [tag] } });
    const eu = await Promise.all(Array.from({ length: 15 }, (_, i) => enqueue('eu', i)));
    const us = await Promise.all(Array.from({ length: 15 }, (_, i) => enqueue('us', i)));
    const euResults = await Promise.all(eu.map((id) => stack.client.result(id)));
    const usResults = await Promise.all(us.map((id) => stack.client.result(id)));
    expect(countBy(euResults)).toEqual(new Map([['eu-1', 15]]));
    expect(countBy(usResults)).toEqual(new Map([['us-1', 15]]));
    // Untagged jobs may use either.
    const untagged = await enqueueAll(
      stack.client,
      Array.from({ length: 20 }, (_, i) => chat('regional', `u${i}`)),
    );
    expect([...countBy(untagged).keys()].sort()).toEqual(['eu-1', 'us-1']);
  });

  it('fails a job whose tags no deployment has, saying why', async () => {
    const id = await stack.client.enqueue('chat.completions', chat('regional'), {
      metadata: { tags: ['apac'] },
    });
    const err = await stack.client.result(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompletionError);
    expect((err as CompletionError).type).toBe('BadRequestError');
    expect((err as Error).message).toContain('tags');
    expect((err as Error).message).toContain('apac');
  });
});

describe('pre-call context-window checks', () => {
  const long = `${'lorem ipsum dolor sit amet '.repeat(40)}`; // ~200 tokens

  it('skips a deployment too small for the prompt and uses it for a short one', async () => {
    const short = await stack.client.completion(chat('sized', 'hi'));
    expect(short.routing.deploymentId).toBe('small-ctx'); // cheapest, and it fits
    const big = await Promise.all(
      Array.from({ length: 5 }, () => stack.client.completion(chat('sized', long))),
    );
    expect(countBy(big)).toEqual(new Map([['large-ctx', 5]]));
    // Skipped before the call: the small one never saw a long prompt.
    const sawLong = stack.fake.requests.some(
      (r) => r.model === 'small-ctx' && JSON.stringify(r.body).includes('lorem ipsum dolor sit amet lorem'),
    );
    expect(sawLong).toBe(false);
  });

  it('follows context_window_fallbacks when every deployment is too small', async () => {
    const r = await stack.client.completion(chat('tiny', long));
    expect(r.routing.modelGroup).toBe('sized');
    expect(r.routing.deploymentId).toBe('large-ctx');
  });

  it('fails with ContextWindowExceededError when there is no fallback', async () => {
    const err = await stack.client.completion(chat('tiny-alone', long)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompletionError);
    expect((err as CompletionError).type).toBe('ContextWindowExceededError');
    expect(stack.fake.requests.some((r) => r.model === 'tiny-alone-ctx')).toBe(false);
  });
});
