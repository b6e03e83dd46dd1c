import { describe, expect, it } from 'vitest';
import { type DeploymentLimits, RoutingState } from '../src/index.ts';
import { newGroup, redisNow, sleepUntil, useRedis } from './fixture.ts';

// Quota leases: one reserve call takes spare units that are whole reservations of their own.
const WINDOW_MS = 2000;
const TTL_MS = 300;
const f = useRedis();

let seq = 0;
function leaseRequest(group: string, candidates: DeploymentLimits[], estimatedTokens = 1) {
  return {
    group,
    candidates,
    estimatedTokens,
    reservationId: `L${++seq}`,
    leaseMs: 30_000,
    unitTtlMs: TTL_MS,
  };
}

describe('quota leases', () => {
  it('leases at most half of the rpm room left, and never more than rpm in all', async () => {
    const state = f.state({ windowMs: WINDOW_MS });
    const group = newGroup();
    const d = [{ id: 'a', rpm: 10, units: 16 }];
    const granted: number[] = [];
    for (;;) {
      const r = await state.reserve(leaseRequest(group, d));
      if (!r.ok) break;
      granted.push(1 + r.spareUnits.length);
    }
    // room 10 → 1 + 4; room 5 → 1 + 2; room 2 → 1; room 1 → 1
    expect(granted).toEqual([5, 3, 1, 1]);
    expect((await state.snapshot(group, ['a']))[0]?.rpmUsed).toBe(10);
  });

  it('counts every unit against max_parallel across two workers', async () => {
    const other = f.redis.client();
    try {
      const states = [f.state({ windowMs: WINDOW_MS }), new RoutingState(other, { windowMs: WINDOW_MS })];
      const group = newGroup();
      const d = [{ id: 'a', maxParallel: 9, units: 8 }];
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => states[i % 2]!.reserve(leaseRequest(group, d))),
      );
      const units = results.reduce((n, r) => n + (r.ok ? 1 + r.spareUnits.length : 0), 0);
      expect(units).toBe(9);
      expect((await states[0]!.snapshot(group, ['a']))[0]?.inflight).toBe(9);
    } finally {
      other.disconnect();
    }
  });

  it('reserves each unit its tokens, so tpm holds for the units too', async () => {
    const state = f.state({ windowMs: WINDOW_MS });
    const group = newGroup();
    const r = await state.reserve(leaseRequest(group, [{ id: 'a', tpm: 1000, units: 16 }], 100));
    // room 10 requests of 100 tokens → 1 + 4 units, 500 tokens
    expect(r).toMatchObject({
      ok: true,
      spareUnits: [expect.any(String), expect.any(String), expect.any(String), expect.any(String)],
    });
    expect((await state.snapshot(group, ['a']))[0]?.tpmUsed).toBe(500);
  });

  it('gives unused units back: slot, request and tokens, in one call', async () => {
    const state = f.state({ windowMs: WINDOW_MS });
    const group = newGroup();
    const r = await state.reserve(
      leaseRequest(group, [{ id: 'a', rpm: 100, maxParallel: 100, units: 4 }], 10),
    );
    if (!r.ok) throw new Error('expected a lease');
    expect(r.spareUnits).toHaveLength(3);
    const released = await state.releaseMany(
      group,
      r.spareUnits.map((reservationId) => ({ deploymentId: 'a', reservationId })),
    );
    expect(released).toBe(3);
    expect(await state.snapshot(group, ['a'])).toMatchObject([{ inflight: 1, rpmUsed: 1, tpmUsed: 10 }]);
  });

  it('stamps spare units at their latest use, so a unit counts a full window after it could be spent', async () => {
    // A unit TTL longer than any stall between the reserve calls below, so the two leave moments stay apart.
    const windowMs = 1000;
    const ttlMs = 2000;
    const state = f.state({ windowMs });
    const group = newGroup();
    const d = [{ id: 'a', rpm: 3, units: 3 }];
    const first = await state.reserve({ ...leaseRequest(group, d), unitTtlMs: ttlMs });
    expect(first).toMatchObject({ ok: true, spareUnits: [expect.any(String)] });
    expect(await state.reserve(leaseRequest(group, d))).toMatchObject({ ok: true, spareUnits: [] });
    const full = await state.reserve(leaseRequest(group, d));
    expect(full).toMatchObject({ ok: false, reason: 'rpm' });
    const reserved = await redisNow(f.client);
    // The two plain reservations leave the window a window after they were made; the unit ttlMs later.
    await sleepUntil(reserved + windowMs + 1);
    expect((await state.snapshot(group, ['a']))[0]?.rpmUsed).toBe(1);
    await sleepUntil(reserved + windowMs + ttlMs + 1);
    expect((await state.snapshot(group, ['a']))[0]?.rpmUsed).toBe(0);
  });

  it('leases nothing when no unit TTL is given (one reservation per call)', async () => {
    const state = f.state({ windowMs: WINDOW_MS });
    const group = newGroup();
    const r = await state.reserve({ ...leaseRequest(group, [{ id: 'a', units: 8 }]), unitTtlMs: 0 });
    expect(r).toEqual({ ok: true, deploymentId: 'a', spareUnits: [] });
  });
});
