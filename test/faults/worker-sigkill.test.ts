// Injects: SIGKILL of one of two worker processes while each holds 20 provider calls in flight.
// "Nothing lost" means: every job id completes, each exactly once (one `completed` event, no
// `failed`), and the dead worker's in-flight leases in Redis free themselves. Provider calls are
// at-least-once: the killed worker's calls were already sent, so BullMQ's stalled-job recovery
// sends them again from the surviving worker — at most one extra call per killed job.
import { stateNamespace } from '@switchyard/core';
import { RoutingState } from '@switchyard/redis-state';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat, type Stack } from '../integration/harness.ts';
import { killOneWorker, SettlementLog, settleAll, startWorkerKillStack, waitFor } from './helpers.ts';

const JOBS = 40;
const CONCURRENCY = 20; // 2 × 20 = 40: once all 40 calls are in flight, each worker holds exactly 20.

let stack: Stack;

beforeAll(async () => {
  stack = await startWorkerKillStack({ latencyMs: 1000, concurrency: CONCURRENCY });
});

afterAll(async () => {
  await stack?.stop();
});

it('loses no job and delivers none twice when a worker is SIGKILLed mid-flight', async () => {
  const log = new SettlementLog(stack.redis.url);
  await log.ready();
  const redis = stack.redis.client();
  const state = new RoutingState(redis, { prefix: stateNamespace({}) });
  const inflight = async () => (await state.snapshot('slow', ['slow-model']))[0]!.inflight;
  try {
    const ids = await stack.client.enqueueBatch(
      Array.from({ length: JOBS }, (_, i) => ({ body: chat('slow', `job ${i}`) })),
    );
    await waitFor(() => stack.fake.requests.length >= JOBS, 20_000, 'all calls in flight');
    expect(await inflight()).toBe(JOBS);

    const survivor = await killOneWorker(stack);

    const outcomes = await settleAll(stack.client, ids, stack.redis.url);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    const counts = await stack.client.queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed');
    expect(counts).toEqual({ completed: JOBS, failed: 0, active: 0, wait: 0, delayed: 0 });

    // The killed worker's leases expire on their own; the survivor released its own on completion.
    await waitFor(async () => (await inflight()) === 0, 20_000, 'in-flight count back to 0');

    // Exactly-once results: one `completed` event per job id, none failed (checked after the lease
    // wait, so a late duplicate would have had time to show up).
    await waitFor(() => log.completed.size === JOBS, 5_000, 'a completed event per job');
    expect([...log.completed.values()].every((n) => n === 1)).toBe(true);
    expect(log.failed.size).toBe(0);

    // At-least-once provider calls: the victim's 20 calls are repeated, nothing more.
    const calls = new Map<string, number>();
    for (const r of stack.fake.requests) {
      const content = (r.body as { messages: { content: string }[] }).messages[0]!.content;
      calls.set(content, (calls.get(content) ?? 0) + 1);
    }
    expect(calls.size).toBe(JOBS);
    const repeated = [...calls.values()].filter((n) => n > 1);
    expect(repeated.every((n) => n === 2)).toBe(true);
    expect(repeated.length).toBeGreaterThanOrEqual(1);
    expect(repeated.length).toBeLessThanOrEqual(CONCURRENCY);
    console.info(
      `sigkill: ${JOBS} jobs completed once each; ${repeated.length} provider calls repeated after the kill`,
    );

    expect(survivor.child.exitCode).toBeNull();
  } finally {
    await log.close();
    await redis.quit();
  }
});
