import { describe, expect, it } from 'vitest';
import { newGroup, redisNow, sleepUntil, useRedis } from './fixture.ts';

const WINDOW_MS = 1000;
const f = useRedis();

describe('snapshot', () => {
  it('reports in-flight, window usage, latency and cooldown per deployment, in order', async () => {
    const state = f.state({ windowMs: WINDOW_MS });
    const group = newGroup();
    const d = [{ id: 'a' }];
    const reserve = (reservationId: string, estimatedTokens: number) =>
      state.reserve({ group, candidates: d, estimatedTokens, reservationId, leaseMs: 60_000 });
    await reserve('x', 10);
    await reserve('y', 20);
    await reserve('z', 30);
    await state.record({ group, deploymentId: 'a', reservationId: 'x', ok: true, latencySample: 250 });
    const failure = { coolNow: true, countFail: true, allowedFails: 5, cooldownMs: 4000 };
    const { cooldownUntilMs } = await state.record({
      group,
      deploymentId: 'b',
      reservationId: 'q',
      ok: false,
      failure,
    });

    const [a, b, unknown] = await state.status(group, ['a', 'b', 'nobody']);
    expect(a).toMatchObject({
      id: 'a',
      inflight: 2,
      rpmUsed: 3,
      tpmUsed: 60,
      latencyMs: 250,
      cooldownUntilMs: 0,
    });
    expect(b).toMatchObject({ id: 'b', inflight: 0, rpmUsed: 0, cooldownUntilMs, fails: 1 });
    expect(unknown).toEqual({
      id: 'nobody',
      inflight: 0,
      rpmUsed: 0,
      tpmUsed: 0,
      cooldownUntilMs: 0,
      fails: 0,
    });
    expect((await state.snapshot(group, ['b']))[0]).not.toHaveProperty('fails');

    await state.clearCooldown(group, 'b');
    expect((await state.status(group, ['b']))[0]).toMatchObject({ cooldownUntilMs: 0, fails: 0 });

    // Once the window has passed, its requests and tokens no longer count.
    await sleepUntil((await redisNow(f.client)) + WINDOW_MS + 2);
    expect((await state.snapshot(group, ['a']))[0]).toMatchObject({ rpmUsed: 0, tpmUsed: 0, inflight: 2 });
  });

  it('keeps every key of a group under its hash tag, with an expiry', async () => {
    const state = f.state({ windowMs: WINDOW_MS, prefix: 'tagtest' });
    const group = newGroup();
    const d = [{ id: 'a', rpm: 10 }, { id: 'b' }];
    await state.reserve({ group, candidates: d, estimatedTokens: 5, reservationId: 'x', leaseMs: 5000 });
    await state.record({ group, deploymentId: 'a', reservationId: 'x', ok: true, latencySample: 3 });
    for (let i = 0; i < 10; i++) {
      await state.reserve({
        group,
        candidates: [d[0]!],
        estimatedTokens: 1,
        reservationId: `w${i}`,
        leaseMs: 5000,
      });
    }
    await state.snapshot(group, ['a', 'b']);
    const keys = await f.client.keys('tagtest:*');
    expect(keys.length).toBeGreaterThanOrEqual(6);
    for (const key of keys) {
      expect(key.startsWith(`tagtest:{${group}}:`)).toBe(true);
      expect(await f.client.pttl(key)).toBeGreaterThan(0);
    }
  });
});
