// Retry counts and waits, counted at the fake provider, through two worker processes sharing one queue.
import { describe, expect, it } from 'vitest';
import { chat, openaiDeployment } from '../integration/harness.ts';
import { failureOf, recordedAttempts, requestsTo, useStack } from './support.ts';

const stack = useStack({
  config: (fake) => ({
    model_list: [
      openaiDeployment(fake, 'flaky', 'flaky-1'),
      openaiDeployment(fake, 'recovering', 'recovering-1'),
      openaiDeployment(fake, 'own-count', 'own-count-1', { num_retries: 1 }),
      openaiDeployment(fake, 'rl-router', 'rl-router-1'),
      openaiDeployment(fake, 'to-router', 'to-router-1', { timeout: 0.3 }),
      openaiDeployment(fake, 'rl-dict', 'rl-dict-1'),
      openaiDeployment(fake, 'rl-suffix', 'rl-suffix-1'),
      openaiDeployment(fake, 'paced', 'paced-1'),
      openaiDeployment(fake, 'refuse', 'refuse-1'),
      openaiDeployment(fake, 'refuse-pair', 'refuse-pair-a'),
      openaiDeployment(fake, 'refuse-pair', 'refuse-pair-b'),
      openaiDeployment(fake, 'bad-policy', 'bad-policy-a'),
      openaiDeployment(fake, 'bad-policy', 'bad-policy-b'),
    ],
    router_settings: {
      num_retries: 3,
      // Retry counting only: cooldowns have their own suite.
      allowed_fails: 1000,
      retry_policy: { RateLimitErrorRetries: 1, TimeoutErrorRetries: 0 },
      model_group_retry_policy: {
        'rl-dict': { RateLimitError: { max_retries: 5, base_delay: 0.05 } },
        'rl-suffix': { RateLimitErrorRetries: 3 },
        'bad-policy': { BadRequestErrorRetries: 2 },
      },
    },
  }),
});

const always500 = (model: string) => ({ match: { model }, fault: { kind: 'error' as const, status: 500 } });
const always429 = (model: string) => ({ match: { model }, fault: { kind: 'rate-limit' as const } });

describe('num_retries', () => {
  it('num_retries 3 on a failing sole deployment: exactly 4 provider calls, 4 recorded attempts', async () => {
    stack().fake.script([always500('flaky-1')]);
    const err = await failureOf(stack().client.completion(chat('flaky')));
    expect(err.type).toBe('InternalServerError');
    expect(requestsTo(stack().fake, 'flaky-1')).toHaveLength(4);
    expect(stack().fake.stats().models['flaky-1']?.errors[500]).toBe(4);
    const attempts = await recordedAttempts(stack().client, err.jobId);
    expect(attempts).toHaveLength(4);
    for (const a of attempts) {
      expect(a).toMatchObject({ deploymentId: 'flaky-1', modelGroup: 'flaky' });
      expect(a.error).toMatchObject({ type: 'InternalServerError', status: 500 });
    }
  });

  it('a success after 3 failures lists all 4 attempts in routing.attempts', async () => {
    stack().fake.script([{ ...always500('recovering-1'), failFirst: 3 }]);
    const r = await stack().client.completion(chat('recovering'));
    expect(requestsTo(stack().fake, 'recovering-1')).toHaveLength(4);
    expect(r.routing.attempts).toHaveLength(4);
    expect(r.routing.attempts.slice(0, 3).map((a) => a.error?.status)).toEqual([500, 500, 500]);
    expect(r.routing.attempts[3]?.error).toBeUndefined();
    for (const a of r.routing.attempts) expect(a.latencyMs).toEqual(expect.any(Number));
  });

  it('a deployment’s own num_retries wins over the router’s', async () => {
    stack().fake.script([always500('own-count-1')]);
    const err = await failureOf(stack().client.completion(chat('own-count')));
    expect(err.type).toBe('InternalServerError');
    expect(requestsTo(stack().fake, 'own-count-1')).toHaveLength(2);
  });
});

describe('retry_policy per error type', () => {
  it('RateLimitErrorRetries: 1 → a 429 is tried twice, although num_retries is 3', async () => {
    stack().fake.script([always429('rl-router-1')]);
    const err = await failureOf(stack().client.completion(chat('rl-router')));
    expect(err.type).toBe('RateLimitError');
    expect(requestsTo(stack().fake, 'rl-router-1')).toHaveLength(2);
  });

  it('TimeoutErrorRetries: 0 → a timed-out call is not retried', async () => {
    stack().fake.script([{ match: { model: 'to-router-1' }, fault: { kind: 'hang' } }]);
    const err = await failureOf(stack().client.completion(chat('to-router')));
    expect(err.type).toBe('Timeout');
    expect(requestsTo(stack().fake, 'to-router-1')).toHaveLength(1);
  });

  it('model_group_retry_policy `RateLimitError: {max_retries: 5}` → 6 calls (replaces the router policy)', async () => {
    stack().fake.script([always429('rl-dict-1')]);
    const err = await failureOf(stack().client.completion(chat('rl-dict')));
    expect(err.type).toBe('RateLimitError');
    expect(requestsTo(stack().fake, 'rl-dict-1')).toHaveLength(6);
    expect(await recordedAttempts(stack().client, err.jobId)).toHaveLength(6);
  });

  it('model_group_retry_policy `RateLimitErrorRetries: 3` → 4 calls', async () => {
    stack().fake.script([always429('rl-suffix-1')]);
    const err = await failureOf(stack().client.completion(chat('rl-suffix')));
    expect(err.type).toBe('RateLimitError');
    expect(requestsTo(stack().fake, 'rl-suffix-1')).toHaveLength(4);
  });
});

describe('retry-after', () => {
  it('a 429 with retry-after: 2 → the next attempt arrives ≥ 2 s later, and the job succeeds', async () => {
    stack().fake.script([
      { match: { model: 'paced-1' }, fault: { kind: 'rate-limit', retryAfterSec: 2 }, failFirst: 1 },
    ]);
    const r = await stack().client.completion(chat('paced'));
    const [first, second, ...rest] = requestsTo(stack().fake, 'paced-1');
    expect(rest).toHaveLength(0);
    expect(first?.status).toBe(429);
    expect(second?.status).toBe(200);
    expect(second!.time - first!.time).toBeGreaterThanOrEqual(2000);
    expect(r.routing.attempts.map((a) => a.error?.type)).toEqual(['RateLimitError', undefined]);
  });
});

describe('errors that are not retried', () => {
  it.each([
    [401, 'AuthenticationError'],
    [400, 'BadRequestError'],
    [404, 'NotFoundError'],
    [403, 'PermissionDeniedError'],
  ])('a %i is tried exactly once and fails as %s (num_retries 3 notwithstanding)', async (status, type) => {
    stack().fake.script([{ match: { model: 'refuse-1' }, fault: { kind: 'error', status } }]);
    const err = await failureOf(stack().client.completion(chat('refuse')));
    expect(err.type).toBe(type);
    const job = await stack().client.queue.getJob(err.jobId);
    expect(job?.failedReason.startsWith(`${type}: `)).toBe(true);
    expect(requestsTo(stack().fake, 'refuse-1')).toHaveLength(1);
  });

  it('a 401 is not retried on the other deployment of the group either', async () => {
    stack().fake.script([
      { match: { model: 'refuse-pair-a' }, fault: { kind: 'error', status: 401 } },
      { match: { model: 'refuse-pair-b' }, fault: { kind: 'error', status: 401 } },
    ]);
    const err = await failureOf(stack().client.completion(chat('refuse-pair')));
    expect(err.type).toBe('AuthenticationError');
    expect(
      requestsTo(stack().fake, 'refuse-pair-a').length + requestsTo(stack().fake, 'refuse-pair-b').length,
    ).toBe(1);
  });

  it('BadRequestErrorRetries: 2 retries a 400 only on other deployments: each refuses once', async () => {
    stack().fake.script([
      { match: { model: 'bad-policy-a' }, fault: { kind: 'error', status: 400 } },
      { match: { model: 'bad-policy-b' }, fault: { kind: 'error', status: 400 } },
    ]);
    const err = await failureOf(stack().client.completion(chat('bad-policy')));
    expect(err.type).toBe('BadRequestError');
    expect(requestsTo(stack().fake, 'bad-policy-a')).toHaveLength(1);
    expect(requestsTo(stack().fake, 'bad-policy-b')).toHaveLength(1);
  });
});
