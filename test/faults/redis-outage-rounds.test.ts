// Injects: 20 SIGKILLs of the Redis server (appendonly, fsync always) and restarts on the same port, with
// two worker processes that are busy (jobs queued and in flight), finishing a tail (jobs in flight, slots
// free, the fetch connection blocked) or idle, and outages of 0.3–1.8 s. Per round it measures, from the
// moment Redis accepts connections again: when each worker process starts its first job (a producer
// trickles jobs in until every worker has one), and how long after a job finished its waiting caller got
// the result (a client with a 2-minute poll: only its event listener and its after-outage sweep can deliver).
// "Recovered" means every round's worst is under 5 s, with the same processes; "nothing lost or
// duplicated" means every job completed and each made exactly one provider call.
import { hostname } from 'node:os';
import { SwitchyardClient } from '@switchyard/client';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat, type Stack } from '../integration/harness.ts';
import { jobHistory, startRedisKillStack, stopRedisKillStack, waitFor } from './helpers.ts';

const ROUNDS = 20;
const WORKERS = 2;
const CONCURRENCY = 4;
const SLOTS = WORKERS * CONCURRENCY;
const BOUND_MS = 5_000;
const KINDS = ['busy', 'tail', 'idle'] as const;
/** The longest outage a round injects (300 + (r × 379) mod 1 500 ms). */
const MAX_DOWN_MS = 1_800;
/**
 * The test's time limit, from its work: a round that passes lasts at most its outage plus the recovery
 * bound it asserts (about 2.4 s each measured at load 7 on 2 cores: 48 s for 20, too close to vitest's 60 s).
 */
const TEST_TIMEOUT_MS = ROUNDS * (MAX_DOWN_MS + BOUND_MS);

let stack: Stack;
let client: SwitchyardClient;

beforeAll(async () => {
  stack = await startRedisKillStack({
    latencyMs: 150,
    logLimit: 100_000,
    workers: WORKERS,
    concurrency: CONCURRENCY,
  });
  client = new SwitchyardClient({ redisUrl: stack.redis.url, timeoutMs: 60_000, pollMs: 120_000 });
  await client.ready();
});

afterAll(async () => {
  await client?.close();
  await stopRedisKillStack(stack);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Round {
  kind: (typeof KINDS)[number];
  downMs: number;
  /** Per worker: ms from Redis accepting connections to its first job started. */
  workerMs: number[];
  callerMs: number;
  /** When Redis was killed and when it accepted connections again (to place a duplicate call in time). */
  killedAt: number;
  up: number;
}

it(
  `every worker consumes and every caller hears within ${BOUND_MS / 1000} s of Redis returning, ${ROUNDS} kills in a row`,
  async () => {
    const pids = stack.workers.map((w) => w.child.pid!);
    const names = pids.map((pid) => `${hostname()}:${pid}`);
    const received = new Map<string, number>();
    const failures = new Map<string, string>();
    const allIds: string[] = [];
    /** Each job's id by its request's content, the one thing the fake's log tells apart. */
    const idOf = new Map<string, string>();
    const rounds: Round[] = [];
    const await_ = (id: string) => {
      allIds.push(id);
      client.result(id).then(
        () => received.set(id, Date.now()),
        (err: Error) => failures.set(id, err.message),
      );
    };

    for (let r = 0; r < ROUNDS; r++) {
      const kind = KINDS[r % KINDS.length]!;
      // busy: 3× the slots queued; tail: a few calls in flight and free slots; idle: nothing to do.
      const n = kind === 'busy' ? SLOTS * 3 : kind === 'tail' ? SLOTS - 3 : 0;
      const pre = await client.enqueueBatch(
        Array.from({ length: n }, (_, i) => ({ body: chat('steady', `r${r} pre ${i}`) })),
      );
      for (const [i, id] of pre.entries()) {
        idOf.set(`r${r} pre ${i}`, id);
        await_(id);
      }
      const called = () => stack.fake.requests.filter((q) => JSON.stringify(q.body).includes(`r${r} pre`));
      if (n) await waitFor(() => called().length >= 3, 20_000, `round ${r}: calls in flight`);
      else await sleep(300);

      const killedAt = Date.now();
      stack.redis.kill('SIGKILL');
      const downMs = 300 + ((r * 379) % 1_500);
      await sleep(downMs);
      await stack.redis.restart();
      const up = Date.now();

      // Trickle jobs in until every worker has started one since Redis came back.
      const redis = new Redis(stack.redis.url);
      const producer = new Queue('switchyard', { connection: redis });
      const first = new Map<string, number>();
      const roundIds = [...pre];
      try {
        for (let k = 0; first.size < WORKERS && Date.now() - up < BOUND_MS * 2; k++) {
          const id = `r${r}-probe-${k}`;
          idOf.set(`r${r} probe ${k}`, id);
          await_(id);
          roundIds.push(id);
          await producer.add('chat.completions', chat('steady', `r${r} probe ${k}`), { jobId: id });
          await sleep(40);
          const reads = await Promise.all(
            roundIds.map((j) => redis.hmget(producer.toKey(j), 'processedOn', 'pb')),
          );
          for (const [on, by] of reads) {
            if (by && Number(on) >= up && !first.has(by)) first.set(by, Number(on) - up);
          }
        }
        const settled = () => roundIds.every((id) => received.has(id) || failures.has(id));
        await waitFor(settled, 30_000, `round ${r}: every result`);
        expect([...failures]).toEqual([]);
        const finishedOn = await Promise.all(
          roundIds.map((j) => redis.hget(producer.toKey(j), 'finishedOn')),
        );
        const callerMs = Math.max(
          ...roundIds.map((id, i) => received.get(id)! - Math.max(Number(finishedOn[i]), up)),
        );
        const workerMs = names.map((name) => first.get(name) ?? Number.POSITIVE_INFINITY);
        rounds.push({ kind, downMs, workerMs, callerMs, killedAt, up });
      } finally {
        await producer.close();
        redis.disconnect();
      }
    }

    for (const [r, x] of rounds.entries()) {
      console.info(
        `round ${r} ${x.kind} down ${x.downMs} ms: workers ${x.workerMs.join(' / ')} ms, callers ≤ ${x.callerMs} ms`,
      );
    }
    const worstWorker = Math.max(...rounds.flatMap((x) => x.workerMs));
    const worstCaller = Math.max(...rounds.map((x) => x.callerMs));
    const replaced = stack.workers.map((w) => w.output().split('replaced the BullMQ worker').length - 1);
    console.info(
      `redis-outage-rounds: worst worker recovery ${worstWorker} ms, worst caller ${worstCaller} ms, ` +
        `in-process replacements ${replaced.join(' / ')}, ${allIds.length} jobs`,
    );
    expect(worstWorker).toBeLessThan(BOUND_MS);
    expect(worstCaller).toBeLessThan(BOUND_MS);

    // Nothing lost: every job completed. Nothing duplicated: one provider call per job.
    const counts = await client.queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed');
    expect(counts).toEqual({ completed: allIds.length, failed: 0, active: 0, wait: 0, delayed: 0 });
    const calls = new Map<string, number>();
    for (const q of stack.fake.requests) {
      const content = (q.body as { messages: { content: string }[] }).messages[0]!.content;
      calls.set(content, (calls.get(content) ?? 0) + 1);
    }
    const twice = [...calls].filter(([, c]) => c !== 1).map(([content]) => content);
    // Seen once in 4 runs at load ~6 (all five probes of one idle round called twice, their callers
    // answered within 9 ms), not again in 250 rounds (90 idle) of a focused re-run. When it happens, print
    // what tells the mechanisms apart: where the calls fall among the outages, each job's activations,
    // stalls and provider attempts per completion (event stream), and the workers' warnings (replacements,
    // lost locks, failed attempts), all with times.
    if (twice.length > 0) {
      const iso = (ms: number) => new Date(ms).toISOString();
      for (const [r, x] of rounds.entries())
        console.info(`round ${r} ${x.kind}: killed ${iso(x.killedAt)}, up ${iso(x.up)}`);
      for (const q of stack.fake.requests) {
        const content = (q.body as { messages: { content: string }[] }).messages[0]!.content;
        if (twice.includes(content)) console.info(`call ${content} at ${iso(q.time)}: ${q.status}`);
      }
      const ids = twice.map((c) => idOf.get(c) ?? c);
      for (const id of ids) {
        const job = await client.queue.getJob(id);
        if (job)
          console.info(id, {
            started: job.attemptsStarted,
            stalled: job.stalledCounter,
            by: job.processedBy,
          });
      }
      for (const line of await jobHistory(stack.redis.url, client.queue, ids)) console.info(line);
      for (const w of stack.workers)
        for (const line of w.output().split('\n'))
          if (/"level":(40|50)/.test(line)) console.info(w.child.pid, line.slice(0, 400));
    }
    expect(calls.size).toBe(allIds.length);
    expect([...calls].filter(([, c]) => c !== 1)).toEqual([]);
    // The same processes lived through all of it.
    expect(stack.workers.map((w) => w.child.pid)).toEqual(pids);
    for (const w of stack.workers) expect(w.child.exitCode).toBeNull();
  },
  TEST_TIMEOUT_MS,
);
