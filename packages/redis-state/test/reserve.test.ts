import { describe, expect, it } from 'vitest';
import { type DeploymentLimits, type ReserveRequest, RoutingState } from '../src/index.ts';
import { newGroup, redisNow, sleepUntil, useRedis } from './fixture.ts';

const WINDOW_MS = 1500;
/** Pacing tests: no grant may leave the window while they run, however loaded the machine. */
const PACING_WINDOW_MS = 60_000;
/** window / Σ rate: the pacing tests' groups all admit 10 requests per window. */
const SLOT_MS = PACING_WINDOW_MS / 10;
const f = useRedis();

let seq = 0;
function request(group: string, candidates: DeploymentLimits[], extra: Partial<ReserveRequest> = {}) {
  return { group, candidates, estimatedTokens: 1, reservationId: `r${++seq}`, leaseMs: 30_000, ...extra };
}

describe('reserve', () => {
  it('grants exactly rpm requests per sliding window and says when the next one fits', async () => {
    const state = f.state({ windowMs: WINDOW_MS });
    const group = newGroup();
    const d = [{ id: 'a', rpm: 5 }];
    const first = await redisNow(f.client);
    expect(await state.reserve(request(group, d))).toMatchObject({ ok: true });
    const firstGranted = await redisNow(f.client);
    for (let i = 0; i < 4; i++) expect(await state.reserve(request(group, d))).toMatchObject({ ok: true });
    const sixth = await state.reserve(request(group, d));
    expect(sixth).toMatchObject({ ok: false, reason: 'rpm' });
    if (sixth.ok) return;
    // The sixth fits once the first grant leaves the window; that grant's time lies between two clock reads.
    expect(sixth.wakeAtMs).toBeGreaterThanOrEqual(first + WINDOW_MS);
    expect(sixth.wakeAtMs).toBeLessThanOrEqual(firstGranted + WINDOW_MS + 2);

    await sleepUntil(sixth.wakeAtMs);
    expect(await state.reserve(request(group, d))).toMatchObject({ ok: true });
  });

  it('keeps the token total within tpm, corrected by real usage', async () => {
    const state = f.state({ windowMs: 10_000 });
    const group = newGroup();
    const d = [{ id: 'a', tpm: 1000 }];
    const big = (id: string, estimatedTokens: number) =>
      request(group, d, { reservationId: id, estimatedTokens });
    expect(await state.reserve(big('x', 400))).toMatchObject({ ok: true });
    expect(await state.reserve(big('y', 400))).toMatchObject({ ok: true });
    expect(await state.reserve(big('z', 400))).toMatchObject({ ok: false, reason: 'tpm' });
    // x really used 100 tokens: 500 in the window, so 400 more fit, and then 200 do not.
    await state.record({ group, deploymentId: 'a', reservationId: 'x', ok: true, totalTokens: 100 });
    expect(await state.reserve(big('z', 400))).toMatchObject({ ok: true });
    expect(await state.reserve(big('w', 200))).toMatchObject({ ok: false, reason: 'tpm' });
    expect(await state.reserve(big('v', 100))).toMatchObject({ ok: true });
    expect((await state.snapshot(group, ['a']))[0]?.tpmUsed).toBe(1000);
  });

  it('admits a request larger than the whole tpm into an empty window only', async () => {
    const state = f.state({ windowMs: WINDOW_MS });
    const group = newGroup();
    const d = [{ id: 'a', tpm: 100 }];
    expect(await state.reserve(request(group, d, { estimatedTokens: 500 }))).toMatchObject({ ok: true });
    const next = await state.reserve(request(group, d, { estimatedTokens: 1 }));
    expect(next).toMatchObject({ ok: false, reason: 'tpm' });
    if (next.ok) return;
    await sleepUntil(next.wakeAtMs);
    expect(await state.reserve(request(group, d, { estimatedTokens: 500 }))).toMatchObject({ ok: true });
  });

  it('never grants more than maxParallel across concurrent workers', async () => {
    const state = f.state({ windowMs: WINDOW_MS });
    const other = f.redis.client();
    try {
      const states = [state, new RoutingState(other, { windowMs: WINDOW_MS })];
      const group = newGroup();
      const d = [{ id: 'a', maxParallel: 7 }];
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => states[i % 2]!.reserve(request(group, d))),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(7);
      expect(results.find((r) => !r.ok)).toMatchObject({ reason: 'parallel' });
      expect((await state.snapshot(group, ['a']))[0]?.inflight).toBe(7);
    } finally {
      other.disconnect();
    }
  });

  it('frees the slot of a lease that was never recorded once it expires', async () => {
    const state = f.state({ windowMs: WINDOW_MS });
    const group = newGroup();
    const d = [{ id: 'a', maxParallel: 1 }];
    expect(await state.reserve(request(group, d, { leaseMs: 300 }))).toMatchObject({ ok: true });
    const leased = await redisNow(f.client);
    const blocked = await state.reserve(request(group, d));
    expect(blocked).toMatchObject({ ok: false, reason: 'parallel' });
    if (blocked.ok) return;
    // When the lease runs out, not a fixed slack after the test's clock read.
    expect(blocked.wakeAtMs).toBeLessThanOrEqual(leased + 300 + 2);
    await sleepUntil(blocked.wakeAtMs);
    expect(await state.reserve(request(group, d))).toMatchObject({ ok: true });
  });

  it('takes the first candidate in the given order that has room', async () => {
    const state = f.state({ windowMs: WINDOW_MS });
    const group = newGroup();
    const a = { id: 'a', rpm: 1 };
    const b = { id: 'b', rpm: 1 };
    expect(await state.reserve(request(group, [b, a]))).toEqual({
      ok: true,
      deploymentId: 'b',
      spareUnits: [],
    });
    expect(await state.reserve(request(group, [b, a]))).toEqual({
      ok: true,
      deploymentId: 'a',
      spareUnits: [],
    });
    expect(await state.reserve(request(group, [a, b]))).toMatchObject({ ok: false, reason: 'rpm' });
  });

  it('skips a cooling candidate for the next one, and waits for the cooldown when all cool', async () => {
    const state = f.state({ windowMs: WINDOW_MS });
    const group = newGroup();
    const a = { id: 'a' };
    const b = { id: 'b' };
    const failure = { coolNow: true, countFail: false, allowedFails: 0, cooldownMs: 5000 };
    const { cooldownUntilMs } = await state.record({
      group,
      deploymentId: 'a',
      reservationId: 'gone',
      ok: false,
      failure,
    });
    expect(await state.reserve(request(group, [a, b]))).toEqual({
      ok: true,
      deploymentId: 'b',
      spareUnits: [],
    });
    expect(await state.reserve(request(group, [a]))).toEqual({
      ok: false,
      wakeAtMs: cooldownUntilMs,
      reason: 'cooldown',
    });
  });

  it('spreads waiters one slot of the group rate apart instead of waking them together', async () => {
    const state = f.state({ windowMs: PACING_WINDOW_MS });
    const group = newGroup();
    const d = [
      { id: 'a', rpm: 5 },
      { id: 'b', rpm: 5 },
    ];
    for (let i = 0; i < 10; i++) expect(await state.reserve(request(group, d))).toMatchObject({ ok: true });
    const waits = await Promise.all(Array.from({ length: 100 }, () => state.reserve(request(group, d))));
    const wakes = waits.map((w) => (w.ok ? Number.NaN : w.wakeAtMs)).sort((x, y) => x - y);
    expect(new Set(wakes).size).toBe(100);
    // window / Σrpm: one slot between waiters.
    for (let i = 1; i < wakes.length; i++) expect(wakes[i]! - wakes[i - 1]!).toBe(SLOT_MS);
  });

  it('a background backlog does not push back an interactive waiter: each lane has its own wake times', async () => {
    const state = f.state({ windowMs: PACING_WINDOW_MS });
    const group = newGroup();
    const d = [{ id: 'a', rpm: 10 }];
    for (let i = 0; i < 10; i++) expect(await state.reserve(request(group, d))).toMatchObject({ ok: true });
    const wakeOf = (r: Awaited<ReturnType<typeof state.reserve>>) => (r.ok ? Number.NaN : r.wakeAtMs);
    const backlog: number[] = [];
    for (let i = 0; i < 50; i++)
      backlog.push(wakeOf(await state.reserve(request(group, d, { lane: 'background' }))));
    // The backlog queues up one slot apart, 50 slots deep …
    expect(backlog.at(-1)! - backlog[0]!).toBe(49 * SLOT_MS);
    // … while an interactive waiter is told the first free slot, not the end of that queue.
    const interactive = wakeOf(await state.reserve(request(group, d)));
    expect(interactive).toBeLessThanOrEqual(backlog[0]! + SLOT_MS);
  });

  it('paces waiters at the whole group rate when deployments are bound by different limits', async () => {
    const state = f.state({ windowMs: PACING_WINDOW_MS });
    const group = newGroup();
    // 5 requests per window by rpm + 500 / 100 = 5 by tpm: 10 per window, whichever limit binds first.
    const d = [
      { id: 'a', rpm: 5 },
      { id: 'b', tpm: 500 },
    ];
    const req = () => request(group, d, { estimatedTokens: 100 });
    for (let i = 0; i < 10; i++) expect(await state.reserve(req())).toMatchObject({ ok: true });
    const waits = await Promise.all(Array.from({ length: 50 }, () => state.reserve(req())));
    const wakes = waits.map((w) => (w.ok ? Number.NaN : w.wakeAtMs)).sort((x, y) => x - y);
    for (let i = 1; i < wakes.length; i++) expect(wakes[i]! - wakes[i - 1]!).toBe(SLOT_MS);
  });

  it('counts a re-sent reservation once', async () => {
    const state = f.state({ windowMs: 10_000 });
    const group = newGroup();
    const d = [{ id: 'a', tpm: 1000 }];
    const again = request(group, d, { estimatedTokens: 300 });
    await state.reserve(again);
    await state.reserve(again);
    const [s] = await state.snapshot(group, ['a']);
    expect(s).toMatchObject({ rpmUsed: 1, tpmUsed: 300, inflight: 1 });
  });
});
