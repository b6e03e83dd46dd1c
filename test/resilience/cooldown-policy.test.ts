// allowed_fails_policy per error type, and a cooldown as long as the provider's retry-after — shared by
// both worker processes. `order` tiers make every job try the first deployment first.
import { describe, expect, it } from 'vitest';
import { chat, openaiDeployment } from '../integration/harness.ts';
import { requestsTo, sleep, useStack } from './support.ts';

const stack = useStack({
  config: (fake) => ({
    model_list: [
      openaiDeployment(fake, 'policy', 'pol-first', { order: 1 }),
      openaiDeployment(fake, 'policy', 'pol-backup', { order: 2 }),
      openaiDeployment(fake, 'limited', 'rl-first', { order: 1 }),
      openaiDeployment(fake, 'limited', 'rl-backup', { order: 2 }),
    ],
    router_settings: {
      cooldown_time: 60,
      allowed_fails_policy: { InternalServerErrorAllowedFails: 5 },
    },
  }),
  fake: { latencyMs: 1 },
});

describe('cooldown policy', () => {
  it('allowed_fails_policy sets the count for its error type: the 6th 500 in a minute cools', async () => {
    const { fake, client } = stack();
    fake.script([{ match: { model: 'pol-first' }, fault: { kind: 'error', status: 500 } }]);
    for (let i = 0; i < 12; i++) {
      const res = await client.completion(chat('policy', `job ${i}`));
      expect(res.routing.deploymentId).toBe('pol-backup');
    }
    expect(requestsTo(fake, 'pol-first')).toHaveLength(6);
  });

  it('a 429 cools for the provider’s retry-after, not the router’s cooldown_time', async () => {
    const { fake, client } = stack();
    fake.script([
      { match: { model: 'rl-first' }, failFirst: 1, fault: { kind: 'rate-limit', retryAfterSec: 2 } },
    ]);
    const first = await client.completion(chat('limited', 'first'));
    expect(first.routing.attempts.map((a) => a.deploymentId)).toEqual(['rl-first', 'rl-backup']);
    // Cooling: the next jobs go to the backup without touching rl-first.
    const during = await client.completion(chat('limited', 'during'));
    expect(during.routing.deploymentId).toBe('rl-backup');
    expect(requestsTo(fake, 'rl-first')).toHaveLength(1);
    // After the 2 s retry-after (far short of cooldown_time 60 s) the first tier serves again.
    await sleep(2300);
    const after = await client.completion(chat('limited', 'after'));
    expect(after.routing.deploymentId).toBe('rl-first');
  });
});
