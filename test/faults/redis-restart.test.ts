// Injects: SIGKILL of the Redis server (appendonly on, fsync always) while jobs are queued and in flight,
// and a restart on the same port 2 s later. "Nothing lost" means: the same worker processes (same pids,
// never exited) reconnect on their own and every job id enqueued before the crash ends completed, after
// exactly one provider call — readable both by the client that lived through the outage and by one
// created after it. It prints how long each worker took to start a job once Redis was back.
import { hostname } from 'node:os';
import { SwitchyardClient } from '@switchyard/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat, type Stack } from '../integration/harness.ts';
import { settleAll, startRedisKillStack, stopRedisKillStack, waitFor } from './helpers.ts';

const JOBS = 40;

let stack: Stack;

beforeAll(async () => {
  stack = await startRedisKillStack({ latencyMs: 300, workers: 2, concurrency: 4 });
});

afterAll(() => stopRedisKillStack(stack));

it('finishes every queued job after Redis is killed and restarted, with the same workers', async () => {
  const pids = stack.workers.map((w) => w.child.pid);
  const ids = await stack.client.enqueueBatch(
    Array.from({ length: JOBS }, (_, i) => ({ body: chat('steady', `job ${i}`) })),
  );
  // 8 slots over 40 jobs: when Redis dies, some jobs are done, some in flight, most still queued.
  await waitFor(() => stack.fake.requests.length >= 10, 20_000, 'some calls made');
  stack.redis.kill('SIGKILL');
  const callsAtCrash = stack.fake.requests.length;
  await new Promise((r) => setTimeout(r, 2000));
  await stack.redis.restart();
  const up = Date.now();

  // Each worker's first job start since Redis came back (a worker may find none left to take: "-").
  const names = stack.workers.map((w) => `${hostname()}:${w.child.pid}`);
  const reader = stack.redis.client();
  const recovered = new Map<string, number>();
  try {
    await waitFor(
      async () => {
        let finished = 0;
        for (const id of ids) {
          const [on, by, done] = await reader.hmget(
            stack.client.queue.toKey(id),
            'processedOn',
            'pb',
            'finishedOn',
          );
          if (by && Number(on) >= up && !recovered.has(by)) recovered.set(by, Number(on) - up);
          if (done) finished++;
        }
        return names.every((n) => recovered.has(n)) || finished === JOBS;
      },
      30_000,
      'the queued jobs to be taken after the restart',
    );
  } finally {
    reader.disconnect();
  }

  const outcomes = await settleAll(stack.client, ids, stack.redis.url);
  const failed = outcomes.filter((o) => !o.ok);
  expect(failed, failed.length ? await diagnose(failed.map((o) => o.id)) : '').toEqual([]);
  expect(callsAtCrash).toBeLessThan(JOBS); // the crash really caught queued work

  const late = new SwitchyardClient({ redisUrl: stack.redis.url, timeoutMs: 10_000, pollMs: 500 });
  try {
    const again = await settleAll(late, ids, stack.redis.url);
    expect(again.filter((o) => !o.ok)).toEqual([]);
    const counts = await late.queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed');
    expect(counts).toEqual({ completed: JOBS, failed: 0, active: 0, wait: 0, delayed: 0 });
    // The survivors of the outage still take new work, through the old client too.
    const fresh = await stack.client.completion(chat('steady', 'after the outage'));
    expect(fresh.routing.deploymentId).toBe('steady-model');
  } finally {
    await late.close();
  }
  expect(stack.workers.map((w) => w.child.pid)).toEqual(pids);
  for (const w of stack.workers) expect(w.child.exitCode).toBeNull();
  // Exactly one provider call per job: nothing acknowledged was lost, nothing ran twice.
  const calls = stack.fake.requests.map((q) => JSON.stringify(q.body));
  for (let i = 0; i < JOBS; i++) expect(calls.filter((c) => c.includes(`"job ${i}"`))).toHaveLength(1);
  const took = names.map((n) => recovered.get(n) ?? '-').join(' / ');
  const replaced = stack.workers.map((w) => w.output().split('replaced the BullMQ worker').length - 1);
  console.info(
    `redis-restart: ${callsAtCrash} calls before the crash, ${JOBS} jobs completed after it; ` +
      `workers took ${took} ms to start a job once Redis was back (in-process replacements ${replaced.join(' / ')})`,
  );
});

/** What a stuck job looks like in Redis, and what the workers logged above info: for a failure message. */
async function diagnose(ids: string[]): Promise<string> {
  const redis = stack.redis.client();
  try {
    const jobs = await Promise.all(
      ids.map(async (id) => {
        const key = stack.client.queue.toKey(id);
        const fields = await redis.hmget(key, 'processedOn', 'pb', 'attemptsMade', 'finishedOn', 'ats');
        const lock = await redis.pttl(`${key}:lock`);
        return `${id}: ${await stack.client.queue.getJobState(id)} ${JSON.stringify(fields)} lock ttl ${lock} ms`;
      }),
    );
    const logs = stack.workers.map((w) =>
      w
        .output()
        .split('\n')
        .filter((l) => /"level":(40|50|60)/.test(l) && !l.includes('ECONNREFUSED'))
        .slice(-20)
        .join('\n'),
    );
    return [...jobs, ...logs].join('\n');
  } finally {
    redis.disconnect();
  }
}
