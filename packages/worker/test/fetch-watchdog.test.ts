import { expect, it } from 'vitest';
import { type FetchState, type FetchVerdict, judgeFetch } from '../src/fetch-watchdog.ts';

const base: FetchState = {
  nowMs: 0,
  lastActivityMs: 0,
  running: 0,
  concurrency: 10,
  waiting: 0,
  stallMs: 60_000,
};

function run(checks: Partial<FetchState>[]): FetchVerdict[] {
  let v: FetchVerdict = { stalled: false };
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
  expect(v[0]?.stalled).toBe(false);
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
