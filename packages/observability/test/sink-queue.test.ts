// SinkQueue: the job never waits on a sink; what a slow or failing sink cannot take is dropped and counted.
import { describe, expect, it } from 'vitest';
import { SinkQueue } from '../src/events/sink-queue.ts';

function recorder() {
  const drops: { name: string; n: number; reason: string }[] = [];
  return { drops, onDrop: (name: string, n: number, reason: string) => drops.push({ name, n, reason }) };
}

describe('SinkQueue', () => {
  it('delivers what one event-loop turn gathered as one batch, then the next', async () => {
    const batches: number[][] = [];
    const { drops, onDrop } = recorder();
    const q = new SinkQueue<number>({ name: 's', deliver: async (b) => void batches.push(b), onDrop });
    q.push(1);
    q.push(2);
    await new Promise((r) => setImmediate(r));
    q.push(3);
    await q.flush();
    expect(batches).toEqual([[1, 2], [3]]);
    expect(drops).toEqual([]);
  });

  it('drops and counts beyond its capacity while a delivery hangs; push never waits', async () => {
    const { drops, onDrop } = recorder();
    const q = new SinkQueue<number>({
      name: 'slow',
      deliver: () => new Promise(() => {}),
      capacity: 2,
      onDrop,
    });
    q.push(1);
    await new Promise((r) => setImmediate(r));
    for (const n of [2, 3, 4, 5]) q.push(n);
    expect(drops).toEqual([
      { name: 'slow', n: 1, reason: 'buffer full' },
      { name: 'slow', n: 1, reason: 'buffer full' },
    ]);
  });

  it('counts a failed delivery as dropped events and goes on with the next batch', async () => {
    const { drops, onDrop } = recorder();
    const seen: number[][] = [];
    let first = true;
    const q = new SinkQueue<number>({
      name: 'flaky',
      deliver: async (b) => {
        seen.push(b);
        if (first) {
          first = false;
          throw new Error('HTTP 500');
        }
      },
      onDrop,
    });
    q.push(1);
    q.push(2);
    await new Promise((r) => setImmediate(r));
    q.push(3);
    await q.flush();
    expect(seen).toEqual([[1, 2], [3]]);
    expect(drops).toEqual([{ name: 'flaky', n: 2, reason: 'HTTP 500' }]);
  });

  it('with a linger, events of many event-loop turns go as one batch; a full batch goes at once', async () => {
    const batches: number[][] = [];
    const { onDrop } = recorder();
    // Longer than any test: only maxBatch or flush() can send these.
    const q = new SinkQueue<number>({
      name: 's',
      deliver: async (b) => void batches.push(b),
      onDrop,
      lingerMs: 600_000,
      maxBatch: 3,
    });
    for (const n of [1, 2, 3, 4]) {
      q.push(n);
      await new Promise((r) => setImmediate(r));
    }
    expect(batches).toEqual([[1, 2, 3]]);
    q.push(5);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1, 2, 3]]);
    // Shutdown does not wait for the linger: what is pending goes now.
    await q.flush();
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('with a linger, what gathers during a delivery waits for its own batch, then goes in order', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const q = new SinkQueue<number>({
      name: 's',
      deliver: (b) => {
        batches.push(b);
        return new Promise<void>((r) => {
          release = r;
        });
      },
      onDrop: recorder().onDrop,
      lingerMs: 1,
    });
    q.push(1);
    await new Promise((r) => setTimeout(r, 5));
    expect(batches).toEqual([[1]]);
    for (const n of [2, 3, 4]) q.push(n);
    release();
    const flushed = q.flush();
    await new Promise((r) => setImmediate(r));
    release();
    await flushed;
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('with a linger, a buffer that fills goes at once instead of dropping what comes next', async () => {
    const batches: number[][] = [];
    const { drops, onDrop } = recorder();
    const q = new SinkQueue<number>({
      name: 's',
      deliver: async (b) => void batches.push(b),
      onDrop,
      lingerMs: 600_000,
      capacity: 2,
    });
    for (const n of [1, 2, 3]) q.push(n);
    await q.flush();
    expect(batches).toEqual([[1, 2], [3]]);
    expect(drops).toEqual([]);
  });
});
