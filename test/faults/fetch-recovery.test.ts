// Injects: a worker's BullMQ blocking (fetch) connection parked for good during a Redis outage — ioredis
// `disconnect()` while it is `reconnecting` clears its retry timer and emits nothing (the mechanism of
// bullmq#4585), so it never becomes ready again — while the worker has jobs in flight. "Recovered" means
// the same process takes jobs again within 5 s of Redis accepting connections (it replaces its BullMQ
// Worker in place), the jobs in flight finish on the old one, and every job makes exactly one provider call.
// (A control without the recovery was dropped: BullMQ 6.7 sometimes gets out of the parked state by itself.)
import { loadConfig } from '@switchyard/core';
import {
  type FakeProvider,
  type StartRedisOptions,
  startFakeProvider,
  startRedis,
  type TestRedis,
} from '@switchyard/testkit';
import { createLogger, type RunningWorker, startWorker } from '@switchyard/worker';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openaiDeployment } from '../integration/harness.ts';
import { waitFor } from './helpers.ts';

const REDIS: StartRedisOptions = { appendonly: true, appendfsync: 'always' };
const CONCURRENCY = 4;

let redis: TestRedis;
let slow: FakeProvider;
let fast: FakeProvider;
let producer: Redis;

beforeAll(async () => {
  redis = await startRedis(REDIS);
  slow = await startFakeProvider({ latencyMs: 8_000 });
  fast = await startFakeProvider({ latencyMs: 50 });
  producer = new Redis(redis.url, { maxRetriesPerRequest: null });
  producer.on('error', () => {});
});

afterAll(async () => {
  producer?.disconnect();
  await slow?.close();
  await fast?.close();
  await redis?.stop();
});

function config() {
  return loadConfig({
    model_list: [openaiDeployment(slow, 'slow', 'slow-model'), openaiDeployment(fast, 'fast', 'fast-model')],
  });
}

const body = (model: string, content: string) => ({ model, messages: [{ role: 'user', content }] });

/** Kill Redis, park the worker's blocking connection while it reconnects, restart; returns when Redis is up. */
async function outageWithParkedFetch(running: RunningWorker): Promise<number> {
  const blocking = await running.worker.getBackend().blockingClient!;
  redis.kill('SIGKILL');
  await waitFor(() => blocking.status === 'reconnecting', 10_000, 'the blocking connection reconnecting');
  blocking.disconnect();
  await new Promise((r) => setTimeout(r, 1_000));
  await redis.restart();
  const up = Date.now();
  // Still parked once Redis is back: ioredis will never retry it.
  await new Promise((r) => setTimeout(r, 300));
  expect(blocking.status).toBe('reconnecting');
  return up;
}

/** When each job started (processedOn), read straight from the job hashes. */
async function startedAt(queue: Queue, ids: string[]): Promise<number[]> {
  const p = producer.pipeline();
  for (const id of ids) p.hget(queue.toKey(id), 'processedOn');
  return ((await p.exec()) ?? []).map(([, v]) => Number(v ?? 0));
}

async function allCompleted(queue: Queue, ids: string[]): Promise<boolean> {
  const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
  return states.every((s) => s === 'completed');
}

const callsFor = (fake: FakeProvider, prefix: string) =>
  fake.requests.filter((r) => JSON.stringify(r.body).includes(prefix));

it('a worker whose fetch connection is wedged after an outage takes jobs again within 5 s, in-flight jobs intact', async () => {
  const queueName = 'recovery';
  const running = await startWorker({
    config: config(),
    logger: createLogger({ level: 'silent' }),
    redisUrl: redis.url,
    queueName,
    concurrency: CONCURRENCY,
  });
  const queue = new Queue(queueName, { connection: producer });
  queue.on('error', () => {});
  try {
    // Two 8-second calls in flight (they outlast the 5 s bound: only a new fetch can start a job within
    // it) and two free slots: the worker waits on its blocking connection.
    const inFlight = ['slow-0', 'slow-1'];
    for (const id of inFlight) await queue.add('chat.completions', body('slow', `${id} call`), { jobId: id });
    await waitFor(() => callsFor(slow, 'call').length === 2, 10_000, 'both slow calls in flight');

    const up = await outageWithParkedFetch(running);
    const fresh = Array.from({ length: 6 }, (_, i) => `fast-${i}`);
    await queue.addBulk(
      fresh.map((id) => ({
        name: 'chat.completions',
        data: body('fast', `${id} call`),
        opts: { jobId: id },
      })),
    );
    await waitFor(
      async () => (await startedAt(queue, fresh)).some((t) => t >= up),
      8_000,
      'a job started after the outage',
    );
    const firstStart = Math.min(...(await startedAt(queue, fresh)).filter((t) => t >= up)) - up;
    console.info(`fetch-recovery: first job started ${firstStart} ms after Redis came back`);
    expect(firstStart).toBeLessThan(5_000);
    expect(running.replacements).toBeGreaterThanOrEqual(1);

    const all = [...inFlight, ...fresh];
    await waitFor(() => allCompleted(queue, all), 20_000, 'every job completed');
    // The in-flight calls were neither dropped nor repeated; every new job was called once.
    for (const id of all) expect(callsFor(id.startsWith('slow') ? slow : fast, `${id} call`)).toHaveLength(1);
    expect(running.health().status).toBe('ok');
  } finally {
    await running.close(10_000);
    await queue.close();
  }
});

it('a replaced worker whose job ends during a second, longer outage writes its outcome when Redis returns: one call', async () => {
  // The retired BullMQ Worker holds a job whose call outlasts the replacement; Redis goes away again and
  // the call ends meanwhile, so the completion waits in ioredis' offline queue for longer than the grace a
  // retired Worker gets. Cutting it loose then drops the completion: the job stays active under a lock
  // nobody renews and BullMQ's stalled check runs it again (a second provider call, 15-30 s later here).
  const medium = await startFakeProvider({ latencyMs: 3_000 });
  const queueName = 'retired';
  const running = await startWorker({
    config: loadConfig({
      model_list: [openaiDeployment(medium, 'medium', 'medium-model')],
      // Outlives both outages, so the late completion still owns its job.
      switchyard_settings: { lock_duration_ms: 15_000 },
    }),
    logger: createLogger({ level: 'silent' }),
    redisUrl: redis.url,
    queueName,
    concurrency: 2,
    recoverMs: 300,
  });
  const queue = new Queue(queueName, { connection: producer });
  queue.on('error', () => {});
  try {
    await queue.add('chat.completions', body('medium', 'held call'), { jobId: 'held' });
    await waitFor(() => callsFor(medium, 'held call').length === 1, 10_000, 'the call in flight');
    await outageWithParkedFetch(running);
    await waitFor(() => running.replacements >= 1, 5_000, 'the BullMQ worker replaced');

    redis.kill('SIGKILL');
    await waitFor(() => callsFor(medium, 'held call')[0]!.status === 200, 10_000, 'the call answered');
    // Longer than a retired Worker's grace once it runs nothing (consumer.ts WEDGED_CLOSE_MS, 5 s).
    await new Promise((r) => setTimeout(r, 6_500));
    await redis.restart();

    await waitFor(async () => (await queue.getJobState('held')) === 'completed', 5_000, 'held completed');
    const job = await queue.getJob('held');
    expect(job?.attemptsStarted).toBe(1);
    expect(callsFor(medium, 'held call')).toHaveLength(1);
  } finally {
    await running.close(10_000);
    await queue.close();
    await medium.close();
  }
});
