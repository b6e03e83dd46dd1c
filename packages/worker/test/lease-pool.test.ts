import type { Unused } from '@switchyard/redis-state';
import { describe, expect, it } from 'vitest';
import { LeasePool } from '../src/lease-pool.ts';

// The worker's side of quota leases, on a hand-driven clock: what it spends, asks for and gives back.
function pool(maxUnits = 8, ttlMs = 50) {
  let now = 1000;
  const released: { group: string; unused: Unused[] }[] = [];
  const p = new LeasePool({
    maxUnits,
    ttlMs,
    now: () => now,
    release: async (group, unused) => {
      released.push({ group, unused });
    },
  });
  return { p, released, advance: (ms: number) => (now += ms) };
}

describe('LeasePool', () => {
  it('spends a spare unit once, only for a job that fits its tokens, and only within the TTL', async () => {
    const { p, advance } = pool();
    p.add('g', 'a', ['r~2', 'r~3'], 100, p.now());
    expect(await p.take('g', 'a', 200)).toBeUndefined();
    expect(await p.take('g', 'b', 10)).toBeUndefined();
    expect(await p.take('g', 'a', 100)).toBe('r~2');
    advance(50);
    expect(await p.take('g', 'a', 10)).toBeUndefined();
  });

  it('asks for its demand over half a TTL (counted per second), capped', async () => {
    const { p, advance } = pool(8, 100);
    expect(p.want('g', 'a')).toBe(1);
    for (let i = 0; i < 100; i++) await p.take('g', 'a', 1);
    advance(1000);
    // 100 picks a second → 5 per 50 ms
    expect(p.want('g', 'a')).toBe(5);
    for (let i = 0; i < 1000; i++) await p.take('g', 'a', 1);
    advance(1000);
    expect(p.want('g', 'a')).toBe(8);
    // An idle gap forgets the demand.
    advance(2000);
    expect(p.want('g', 'a')).toBe(1);
  });

  it('makes picks wait for a lease call on its way, and asks one unit for each waiter', async () => {
    const { p } = pool(16, 50);
    let grant!: () => void;
    const call = new Promise<void>((resolve) => {
      grant = resolve;
    });
    await p.take('g', 'a', 1); // the leaser's own miss
    p.track('g', 'a', call);
    // As the router does: the leaser shelves the units before any waiter resumes.
    call.then(() => p.add('g', 'a', ['L~2', 'L~3'], 1, p.now()));
    const waiters = [p.take('g', 'a', 1), p.take('g', 'a', 1), p.take('g', 'a', 1)];
    await new Promise((r) => setImmediate(r));
    expect(p.want('g', 'a')).toBe(4);
    grant();
    // Two get the units; the third finds none and no call on its way: it reserves itself.
    expect((await Promise.all(waiters)).sort()).toEqual(['L~2', 'L~3', undefined].sort());
  });

  it('gives back what expired unspent, per group in one call', async () => {
    const { p, released } = pool(8, 20);
    p.add('g', 'a', ['x~2', 'x~3'], 1, p.now() - 30);
    p.add('g', 'b', ['y~2'], 1, p.now() - 30);
    p.add('h', 'a', ['z~2'], 1, p.now() - 30);
    await new Promise((r) => setTimeout(r, 40));
    expect(released).toEqual([
      {
        group: 'g',
        unused: [
          { deploymentId: 'a', reservationId: 'x~2' },
          { deploymentId: 'a', reservationId: 'x~3' },
          { deploymentId: 'b', reservationId: 'y~2' },
        ],
      },
      { group: 'h', unused: [{ deploymentId: 'a', reservationId: 'z~2' }] },
    ]);
  });

  it('discards a cooling deployment at once and drains everything on shutdown', async () => {
    const { p, released } = pool();
    p.add('g', 'a', ['x~2'], 1, p.now());
    p.add('g', 'b', ['y~2', 'y~3'], 1, p.now());
    p.discard('g', 'a');
    expect(await p.take('g', 'a', 1)).toBeUndefined();
    expect(released).toEqual([{ group: 'g', unused: [{ deploymentId: 'a', reservationId: 'x~2' }] }]);
    await p.drain();
    expect(released[1]?.unused.map((u) => u.reservationId)).toEqual(['y~2', 'y~3']);
  });

  it('is off with one unit: asks for one and holds nothing', async () => {
    const { p } = pool(1);
    expect(p.enabled).toBe(false);
    expect(p.want('g', 'a')).toBe(1);
    expect(await p.take('g', 'a', 1)).toBeUndefined();
  });
});
