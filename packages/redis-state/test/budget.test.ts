import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DeploymentLimits } from '../src/index.ts';
import { newGroup, redisNow, sleepUntil, useRedis } from './fixture.ts';

const f = useRedis();
let seq = 0;
const reserve = (group: string, candidates: DeploymentLimits[]) => ({
  group,
  candidates,
  estimatedTokens: 1,
  reservationId: `b${++seq}`,
  leaseMs: 30_000,
});
// Each test its own prefix: the budgets hash is one key per installation.
const fresh = () => f.state({ prefix: `bt-${randomUUID().slice(0, 6)}` });

describe('budgets', () => {
  it('skips a deployment whose budget is spent and reserves on the next one', async () => {
    const state = fresh();
    const group = newGroup();
    const d = [
      { id: 'a', budgets: [{ name: 'provider:openai', limit: 0.05 }] },
      { id: 'b', budgets: [{ name: 'provider:azure', limit: 1 }] },
    ];
    expect(await state.reserve(reserve(group, d))).toEqual({ ok: true, deploymentId: 'a', spareUnits: [] });
    await state.addSpend([{ name: 'provider:openai', cost: 0.03, periodMs: 60_000 }]);
    expect(await state.reserve(reserve(group, d))).toEqual({ ok: true, deploymentId: 'a', spareUnits: [] });
    await state.addSpend([{ name: 'provider:openai', cost: 0.02, periodMs: 60_000 }]);
    expect(await state.reserve(reserve(group, d))).toEqual({ ok: true, deploymentId: 'b', spareUnits: [] });
  });

  it('answers budget with the first reset when every candidate is spent, and leaves pacing alone', async () => {
    const state = fresh();
    const group = newGroup();
    const before = await redisNow(f.client);
    await state.addSpend([
      { name: 'p:x', cost: 2, periodMs: 800 },
      { name: 'p:y', cost: 2, periodMs: 60_000 },
    ]);
    const spent = await redisNow(f.client);
    const d = [
      { id: 'a', budgets: [{ name: 'p:y', limit: 1 }] },
      { id: 'b', budgets: [{ name: 'p:x', limit: 1 }] },
    ];
    const out = await state.reserve(reserve(group, d));
    expect(out).toMatchObject({ ok: false, reason: 'budget', budget: 'p:x' });
    if (out.ok) return;
    expect(out.wakeAtMs).toBeGreaterThanOrEqual(before + 800);
    // The period started while addSpend ran: between the two clock reads, whatever the machine's load.
    expect(out.wakeAtMs).toBeLessThanOrEqual(spent + 800 + 1);
    // The period ends: the spend starts again from 0.
    await sleepUntil(out.wakeAtMs);
    expect(await state.reserve(reserve(group, d))).toEqual({ ok: true, deploymentId: 'b', spareUnits: [] });
    expect((await state.budgetSpend()).get('p:x')?.spent).toBe(0);
  });

  it('a budget without a period stays spent until reset', async () => {
    const state = fresh();
    const group = newGroup();
    await state.addSpend([{ name: 'deployment:a', cost: 5 }]);
    const d = [{ id: 'a', rpm: 10, budgets: [{ name: 'deployment:a', limit: 5 }] }];
    expect(await state.reserve(reserve(group, d))).toMatchObject({ ok: false, reason: 'budget' });
    await state.resetSpend();
    expect(await state.reserve(reserve(group, d))).toEqual({ ok: true, deploymentId: 'a', spareUnits: [] });
  });

  it('a spent candidate beside a saturated one: the job waits for capacity, not a budget error', async () => {
    const state = fresh();
    const group = newGroup();
    // The budget resets before b's rpm slot frees: still no reason to fail a job that can wait.
    await state.addSpend([{ name: 'p:spent', cost: 1, periodMs: 30_000 }]);
    const d = [
      { id: 'a', budgets: [{ name: 'p:spent', limit: 1 }] },
      { id: 'b', rpm: 1, budgets: [{ name: 'p:left', limit: 1 }] },
    ];
    expect(await state.reserve(reserve(group, d))).toEqual({ ok: true, deploymentId: 'b', spareUnits: [] });
    expect(await state.reserve(reserve(group, d))).toMatchObject({ ok: false, reason: 'rpm' });
  });

  it('a candidate over two budgets is back when the later one resets, and the answer names that one', async () => {
    const state = fresh();
    const group = newGroup();
    const before = await redisNow(f.client);
    await state.addSpend([
      { name: 'p:soon', cost: 1, periodMs: 1_000 },
      { name: 'p:later', cost: 1, periodMs: 60_000 },
    ]);
    const d = [
      {
        id: 'a',
        budgets: [
          { name: 'p:soon', limit: 1 },
          { name: 'p:later', limit: 1 },
        ],
      },
    ];
    const out = await state.reserve(reserve(group, d));
    expect(out).toMatchObject({ ok: false, reason: 'budget', budget: 'p:later' });
    if (!out.ok) expect(out.wakeAtMs).toBeGreaterThanOrEqual(before + 60_000);
  });
});
