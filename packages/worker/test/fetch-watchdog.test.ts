import { expect, it } from 'vitest';
import { type FetchState, type FetchVerdict, HEALTHY, judgeFetch } from '../src/fetch-watchdog.ts';

const base: FetchState = {
  nowMs: 0,
  lastActivityMs: 0,
  running: 0,
  concurrency: 10,
  waiting: 0,
  blockingReady: true,
  recoverMs: 2_000,
  stallMs: 60_000,
};

function run(checks: Partial<FetchState>[]): FetchVerdict[] {
  let v: FetchVerdict = HEALTHY;
  return checks.map((c) => {
    v = judgeFetch(v, { ...base, ...c });
    return v;
  });
}

it('flags jobs waiting with free slots and no start for stallMs in a row', () => {
  const v = run([
    { nowMs: 100_000, lastActivityMs: 0, waiting: 3 },
    { nowMs: 130_000, lastActivityMs: 0, waiting: 3 },
    { nowMs: 160_000, lastActivityMs: 0, waiting: 3 },
  ]);
  expect(v.map((x) => x.stalled)).toEqual([false, false, true]);
});

it('does not flag a job that just arrived after a long idle period', () => {
  const v = run([{ nowMs: 500_000, lastActivityMs: 0, waiting: 1 }]);
  expect(v[0]).toMatchObject({ stalled: false, recover: false });
});

it('clears the suspicion when the worker starts a job, and ignores a full or empty worker', () => {
  const v = run([
    { nowMs: 100_000, waiting: 3 },
    { nowMs: 150_000, lastActivityMs: 140_000, waiting: 3 },
    { nowMs: 190_000, lastActivityMs: 140_000, waiting: 3 },
    { nowMs: 210_000, lastActivityMs: 140_000, waiting: 3, running: 10 },
    { nowMs: 400_000, lastActivityMs: 140_000, waiting: 0 },
  ]);
  expect(v.map((x) => x.stalled)).toEqual([false, false, false, false, false]);
});

it('asks for a recovery after recoverMs stuck, then after 2×, 4× more, and gives up at stallMs', () => {
  const ticks = [0, 1_000, 2_000, 3_000, 5_900, 6_000, 13_000, 14_000, 60_000].map((t) => ({
    nowMs: 100_000 + t,
    waiting: 5,
  }));
  const v = run(ticks);
  expect(v.map((x) => x.recover)).toEqual([false, false, true, false, false, true, false, true, false]);
  expect(v.map((x) => x.stalled)).toEqual([false, false, false, false, false, false, false, false, true]);
});

it('suspects an idle worker whose blocking connection is not ready, even with nothing waiting', () => {
  const v = run([
    { nowMs: 100_000, blockingReady: false },
    { nowMs: 101_000, blockingReady: false },
    { nowMs: 102_000, blockingReady: false },
  ]);
  expect(v.map((x) => x.recover)).toEqual([false, false, true]);
  // A full worker fetches through its completions, not its blocking connection: nothing to recover.
  expect(run([{ nowMs: 100_000, blockingReady: false, running: 10, waiting: 4 }])[0]).toEqual(HEALTHY);
});

it('a job started after a recovery restarts the suspicion with a fresh budget', () => {
  const v = run([
    { nowMs: 100_000, waiting: 5 },
    { nowMs: 102_000, waiting: 5 }, // recovery 1
    { nowMs: 103_000, waiting: 5, lastActivityMs: 102_500 }, // the new worker started a job
    { nowMs: 104_400, waiting: 5, lastActivityMs: 102_500 },
    { nowMs: 104_600, waiting: 5, lastActivityMs: 102_500 }, // stuck again for 2 s: first recovery again
  ]);
  expect(v.map((x) => x.recover)).toEqual([false, true, false, false, true]);
  expect(v[2]?.recoveries).toBe(0);
});
