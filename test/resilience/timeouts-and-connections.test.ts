// Hung, reset and refused connections become attempts that move the job to a healthy deployment or group.
import { describe, expect, it } from 'vitest';
import { chat, openaiDeployment } from '../integration/harness.ts';
import { closedPort, requestsTo, useStack } from './support.ts';

// Resolved before the stack starts: the config builder is synchronous.
const refusedPort = await closedPort();

/** `<group>-a` is always tried first (order 1); `<group>-b` (order 2) is the healthy one. */
const pair = (fake: Parameters<typeof openaiDeployment>[0], group: string, first: object = {}) => [
  openaiDeployment(fake, group, `${group}-a`, { order: 1, ...first }),
  openaiDeployment(fake, group, `${group}-b`, { order: 2 }),
];

const stack = useStack({
  config: (fake) => ({
    model_list: [
      ...pair(fake, 'hang', { timeout: 1 }),
      ...pair(fake, 'reset'),
      ...pair(fake, 'reset-mid'),
      ...pair(fake, 'refused', { api_base: `http://127.0.0.1:${refusedPort}/v1` }),
      openaiDeployment(fake, 'hang-solo', 'hang-solo-1', { timeout: 1, num_retries: 0 }),
      openaiDeployment(fake, 'rescue', 'rescue-1'),
    ],
    router_settings: {
      // Cool a deployment on its first failure, so the in-group retry must go to the healthy tier.
      allowed_fails: 0,
      fallbacks: [{ 'hang-solo': ['rescue'] }],
    },
  }),
});

describe('failing connections move the job on', () => {
  it('a hung deployment times out after its own 1 s timeout and the job retries on the healthy one', async () => {
    stack().fake.script([{ match: { model: 'hang-a' }, fault: { kind: 'hang' } }]);
    const r = await stack().client.completion(chat('hang'));
    expect(r.routing.deploymentId).toBe('hang-b');
    const [timedOut, ok] = r.routing.attempts;
    expect(timedOut).toMatchObject({ deploymentId: 'hang-a', error: { type: 'Timeout' } });
    expect(timedOut!.latencyMs).toBeGreaterThanOrEqual(950);
    // The deployment's 1 s, not the router's 600 s default, ended the wait.
    expect(timedOut!.latencyMs).toBeLessThan(10_000);
    expect(ok?.error).toBeUndefined();
    expect(stack().fake.stats().models['hang-a']?.faults.hang).toBe(1);
  });

  it('a hung sole deployment falls back to another group', async () => {
    stack().fake.script([{ match: { model: 'hang-solo-1' }, fault: { kind: 'hang' } }]);
    const r = await stack().client.completion(chat('hang-solo'));
    expect(r.routing.modelGroup).toBe('rescue');
    expect(r.routing.attempts.map((a) => [a.modelGroup, a.error?.type])).toEqual([
      ['hang-solo', 'Timeout'],
      ['rescue', undefined],
    ]);
  });

  it('a connection reset before any byte fails over', async () => {
    stack().fake.script([{ match: { model: 'reset-a' }, fault: { kind: 'reset' } }]);
    const r = await stack().client.completion(chat('reset'));
    expect(r.routing.deploymentId).toBe('reset-b');
    expect(r.routing.attempts[0]).toMatchObject({
      deploymentId: 'reset-a',
      error: { type: 'APIConnectionError' },
    });
    expect(requestsTo(stack().fake, 'reset-a')).toHaveLength(1);
  });

  it('a connection reset in the middle of the body fails over', async () => {
    stack().fake.script([{ match: { model: 'reset-mid-a' }, fault: { kind: 'reset', afterBytes: 20 } }]);
    const r = await stack().client.completion(chat('reset-mid'));
    expect(r.routing.deploymentId).toBe('reset-mid-b');
    expect(r.routing.attempts[0]).toMatchObject({
      deploymentId: 'reset-mid-a',
      error: { type: 'APIConnectionError' },
    });
  });

  it('a refused connection (nothing listening) fails over', async () => {
    const r = await stack().client.completion(chat('refused'));
    expect(r.routing.deploymentId).toBe('refused-b');
    expect(r.routing.attempts[0]).toMatchObject({
      deploymentId: 'refused-a',
      error: { type: 'APIConnectionError' },
    });
  });
});
