// The baseline: a bare BullMQ worker that makes the same HTTP call Switchyard's worker makes (undici,
// keep-alive pool, JSON in and out) to one fixed URL, with no routing, limits, state or retries.
// Its Worker options mirror startWorker's so the only difference measured is Switchyard's own work.
// Env: REDIS_URL, QUEUE, CONCURRENCY, TARGET_URL (full endpoint URL), LOCK_MS, RESULT_TTL_SEC.
import { createHttpPools } from '@switchyard/providers';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`bare-worker: ${name} is required`);
  return value;
};

const target = new URL(env('TARGET_URL'));
// The very undici pool factory Switchyard's providers use, so HTTP costs are identical.
const pools = createHttpPools();
const pool = pools.forOrigin(target.origin);
const lockDuration = Number(env('LOCK_MS'));
const age = Number(env('RESULT_TTL_SEC'));
const connection = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null, enableReadyCheck: true });

const worker = new Worker(
  env('QUEUE'),
  async (job, _token, signal) => {
    const res = await pool.request({
      method: 'POST',
      path: target.pathname,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
      body: JSON.stringify(job.data),
      ...(signal ? { signal } : {}),
    });
    const body = (await res.body.json()) as Record<string, unknown>;
    if (res.statusCode >= 400) throw new Error(`provider answered ${res.statusCode}`);
    return body;
  },
  {
    connection,
    concurrency: Number(env('CONCURRENCY')),
    lockDuration,
    stalledInterval: lockDuration,
    removeOnComplete: { age },
    removeOnFail: { age },
  },
);
await worker.waitUntilReady();
console.log('worker ready');

const stop = async () => {
  await worker.close();
  await pools.close();
  connection.disconnect();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
