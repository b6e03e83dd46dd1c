import { describe, expect, it } from 'vitest';
import type { FailureEffect, RoutingState } from '../src/index.ts';
import { newGroup, redisNow, useRedis } from './fixture.ts';

const f = useRedis();

const coolNow = (cooldownMs: number): FailureEffect => ({
  coolNow: true,
  countFail: false,
  allowedFails: 0,
  cooldownMs,
});
const counted = (allowedFails: number): FailureEffect => ({
  coolNow: false,
  countFail: true,
  allowedFails,
  cooldownMs: 5000,
});

function fail(state: RoutingState, group: string, failure: FailureEffect) {
  return state.record({ group, deploymentId: 'a', reservationId: 'r', ok: false, failure });
}

describe('record', () => {
  it('cools a deployment at once when the failure says so', async () => {
    const state = f.state();
    const group = newGroup();
    const before = await redisNow(f.client);
    const { cooldownUntilMs } = await fail(state, group, coolNow(2000));
    const after = await redisNow(f.client);
    // The script reads Redis's clock between these two reads, however slow a loaded machine makes the call.
    expect(cooldownUntilMs).toBeGreaterThanOrEqual(before + 2000);
    expect(cooldownUntilMs).toBeLessThanOrEqual(after + 2000 + 1);
    expect((await state.snapshot(group, ['a']))[0]?.cooldownUntilMs).toBe(cooldownUntilMs);
  });

  it('says which outcome started a cooldown: a failure while another one runs only extends it', async () => {
    const state = f.state();
    const group = newGroup();
    const first = await fail(state, group, coolNow(2000));
    expect(first.cooldownStarted).toBe(true);
    // Another worker's failure of the same deployment a moment later: same outage, not a second cooldown.
    const second = await fail(state, group, coolNow(5000));
    expect(second.cooldownUntilMs).toBeGreaterThan(first.cooldownUntilMs);
    expect(second.cooldownStarted).toBe(false);
  });

  it('cools only when failures in the window exceed allowed_fails', async () => {
    const state = f.state({ windowMs: 10_000 });
    const group = newGroup();
    expect(await fail(state, group, counted(2))).toEqual({ cooldownUntilMs: 0, cooldownStarted: false });
    expect(await fail(state, group, counted(2))).toEqual({ cooldownUntilMs: 0, cooldownStarted: false });
    expect((await state.status(group, ['a']))[0]).toMatchObject({ fails: 2, cooldownUntilMs: 0 });
    const third = await fail(state, group, counted(2));
    expect(third.cooldownUntilMs).toBeGreaterThan(0);
  });

  it('by failure rate: cools when failures are over half of at least minRequests in the window', async () => {
    const state = f.state({ windowMs: 10_000 });
    const group = newGroup();
    const rate: FailureEffect = { ...counted(0), failureRate: { threshold: 0.5, minRequests: 5 } };
    const ok = () => state.record({ group, deploymentId: 'a', reservationId: 'r', ok: true });
    // 1 failure in 10 requests: a busy, healthy deployment is not cooled by its rare errors.
    for (let i = 0; i < 9; i++) await ok();
    expect(await fail(state, group, rate)).toEqual({ cooldownUntilMs: 0, cooldownStarted: false });
    // 4 failures of 5 with 1 success... but the window already holds 9 successes: 5/14 stays under half.
    for (let i = 0; i < 4; i++)
      expect(await fail(state, group, rate)).toEqual({ cooldownUntilMs: 0, cooldownStarted: false });
    // Fresh group: 2 failures of 2 requests are under minRequests; the 5th request at 100 % cools.
    const dead = newGroup();
    const failDead = () =>
      state.record({ group: dead, deploymentId: 'a', reservationId: 'r', ok: false, failure: rate });
    for (let i = 0; i < 4; i++)
      expect(await failDead()).toEqual({ cooldownUntilMs: 0, cooldownStarted: false });
    expect((await failDead()).cooldownUntilMs).toBeGreaterThan(0);
  });

  it('never shortens an active cooldown', async () => {
    const state = f.state();
    const group = newGroup();
    const long = await fail(state, group, coolNow(60_000));
    const same = { ...long, cooldownStarted: false };
    expect(await fail(state, group, coolNow(1000))).toEqual(same);
    expect(await fail(state, group, counted(0))).toEqual(same);
  });

  it('does not cool when cooldown_time is 0', async () => {
    const state = f.state();
    expect(await fail(state, newGroup(), coolNow(0))).toEqual({ cooldownUntilMs: 0, cooldownStarted: false });
  });

  it('releases the in-flight slot and keeps the latency average of the last 10 samples', async () => {
    const state = f.state();
    const group = newGroup();
    const d = [{ id: 'a', maxParallel: 1 }];
    const before = await redisNow(f.client);
    for (let i = 1; i <= 12; i++) {
      const reservationId = `r${i}`;
      expect(
        await state.reserve({ group, candidates: d, estimatedTokens: 1, reservationId, leaseMs: 60_000 }),
      ).toMatchObject({ ok: true });
      await state.record({ group, deploymentId: 'a', reservationId, ok: true, latencySample: i * 10 });
    }
    const [s] = await state.snapshot(group, ['a']);
    // Samples 3..12 (×10 ms) remain: mean 75 ms.
    expect(s?.latencyMs).toBe(75);
    expect(s?.latencyAtMs).toBeGreaterThanOrEqual(before);
    expect(s?.inflight).toBe(0);
  });

  it('recordMany applies several outcomes of one group in one call, in order', async () => {
    const state = f.state({ windowMs: 10_000 });
    const group = newGroup();
    for (const id of ['a', 'b']) {
      const candidates = [{ id, maxParallel: 1, tpm: 1000 }];
      expect(
        await state.reserve({
          group,
          candidates,
          estimatedTokens: 100,
          reservationId: `r-${id}`,
          leaseMs: 60_000,
        }),
      ).toMatchObject({ ok: true });
    }
    const results = await state.recordMany([
      { group, deploymentId: 'a', reservationId: 'r-a', ok: true, totalTokens: 7 },
      { group, deploymentId: 'b', reservationId: 'r-b', ok: false, failure: coolNow(2000) },
    ]);
    expect(results[0]).toEqual({ cooldownUntilMs: 0, cooldownStarted: false });
    expect(results[1]?.cooldownUntilMs).toBeGreaterThan(0);
    const [a, b] = await state.snapshot(group, ['a', 'b']);
    expect(a).toMatchObject({ inflight: 0, tpmUsed: 7, cooldownUntilMs: 0 });
    expect(b).toMatchObject({ inflight: 0, cooldownUntilMs: results[1]?.cooldownUntilMs });
    await expect(
      state.recordMany([
        { group, deploymentId: 'a', reservationId: 'x', ok: true },
        { group: newGroup(), deploymentId: 'a', reservationId: 'y', ok: true },
      ]),
    ).rejects.toThrow(RangeError);
  });

  it('recordMany answers in input order when deployments interleave, and sums each one once', async () => {
    const state = f.state({ windowMs: 10_000 });
    const group = newGroup();
    const reserve = (id: string, reservationId: string) =>
      state.reserve({
        group,
        candidates: [{ id, tpm: 10_000 }],
        estimatedTokens: 100,
        reservationId,
        leaseMs: 60_000,
      });
    for (const r of ['a1', 'a2', 'a3']) await reserve('a', r);
    for (const r of ['b1', 'b2']) await reserve('b', r);
    const results = await state.recordMany([
      { group, deploymentId: 'a', reservationId: 'a1', ok: true, totalTokens: 10, latencySample: 10 },
      { group, deploymentId: 'b', reservationId: 'b1', ok: false, failure: coolNow(3000) },
      { group, deploymentId: 'a', reservationId: 'a2', ok: true, totalTokens: 20, latencySample: 20 },
      { group, deploymentId: 'b', reservationId: 'b2', ok: true, totalTokens: 5 },
      // Re-sent in the same batch: corrected once.
      { group, deploymentId: 'a', reservationId: 'a2', ok: true, totalTokens: 20 },
    ]);
    expect(results.map((r) => r.cooldownUntilMs > 0)).toEqual([false, true, false, true, false]);
    const [a, b] = await state.snapshot(group, ['a', 'b']);
    // a: 10 + 20 real, a3 still at its estimate of 100; latency the mean of its two samples.
    expect(a).toMatchObject({ inflight: 1, tpmUsed: 130, latencyMs: 15, cooldownUntilMs: 0 });
    // b: b1 failed with no real tokens given (estimate kept), b2 used 5.
    expect(b).toMatchObject({ inflight: 0, tpmUsed: 105 });
  });

  it('release gives back an unused reservation: its slot, its request and its tokens', async () => {
    const state = f.state({ windowMs: 10_000 });
    const group = newGroup();
    const d = [{ id: 'a', rpm: 1, tpm: 100, maxParallel: 1 }];
    const reserve = (reservationId: string) =>
      state.reserve({ group, candidates: d, estimatedTokens: 100, reservationId, leaseMs: 60_000 });
    expect(await reserve('x')).toMatchObject({ ok: true });
    expect(await reserve('y')).toMatchObject({ ok: false });
    expect(await state.release(group, 'a', 'x')).toBe(true);
    expect(await state.release(group, 'a', 'x')).toBe(false);
    expect((await state.snapshot(group, ['a']))[0]).toMatchObject({ inflight: 0, rpmUsed: 0, tpmUsed: 0 });
    expect(await reserve('y')).toMatchObject({ ok: true });
  });
});
