// Retries are re-enqueues of the same job: one id, one outcome, no slot held while waiting, a bounded life.
import { type Job, QueueEvents } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { chat, openaiDeployment } from '../integration/harness.ts';
import { failureOf, requestsTo, until, useStack } from './support.ts';

const DEADLINE_SEC = 6;

const stack = useStack({
  config: (fake) => ({
    model_list: [
      openaiDeployment(fake, 'once', 'once-1'),
      openaiDeployment(fake, 'backoff', 'backoff-1'),
      openaiDeployment(fake, 'quick', 'quick-1'),
      openaiDeployment(fake, 'endless', 'endless-1'),
      openaiDeployment(fake, 'far', 'far-1'),
    ],
    router_settings: {
      allowed_fails: 1000,
      model_group_retry_policy: {
        endless: { InternalServerError: { max_retries: 100, base_delay: 0.5, max_delay: 1 } },
      },
    },
    switchyard_settings: { job_deadline_seconds: DEADLINE_SEC },
  }),
  // One slot per worker: a worker sleeping through a backoff would have nothing left for other jobs.
  concurrency: 1,
});

describe('a retry re-enqueues the same job', () => {
  it('keeps the job id: two failures and a success emit exactly one final event, after delays', async () => {
    const events = new QueueEvents('switchyard', { connection: { url: stack().redis.url } });
    await events.waitUntilReady();
    const seen: string[] = [];
    const jobId = 'same-job-through-retries';
    for (const name of ['completed', 'failed', 'delayed'] as const) {
      events.on(name, (e: { jobId: string }) => {
        if (e.jobId === jobId) seen.push(name);
      });
    }
    try {
      stack().fake.script([
        { match: { model: 'once-1' }, fault: { kind: 'error', status: 500 }, failFirst: 2 },
      ]);
      const r = await stack().client.completion(chat('once'), { jobId });
      expect(r.routing.attempts.map((a) => a.error?.status)).toEqual([500, 500, undefined]);
      expect(requestsTo(stack().fake, 'once-1')).toHaveLength(3);
      // Let any stray event arrive before counting.
      await new Promise((res) => setTimeout(res, 300));
      expect(seen.filter((e) => e === 'completed')).toHaveLength(1);
      expect(seen.filter((e) => e === 'failed')).toHaveLength(0);
      expect(seen.filter((e) => e === 'delayed').length).toBeGreaterThanOrEqual(2);
      // No second job was created for the retries.
      const jobs = await stack().client.queue.getJobs(['completed', 'failed', 'delayed', 'wait', 'active']);
      expect(jobs.filter((j) => (j.data as { model?: string }).model === 'once').map((j) => j.id)).toEqual([
        jobId,
      ]);
    } finally {
      await events.close();
    }
  });

  it('workers with concurrency 1 serve other jobs while jobs back off in delayed', async () => {
    stack().fake.script([
      { match: { model: 'backoff-1' }, fault: { kind: 'rate-limit', retryAfterSec: 3 }, failFirst: 2 },
    ]);
    // Two jobs back off, one per worker slot; a third job queued after them must not wait for them.
    const slow = ['backoff-a1', 'backoff-a2'];
    const waiting = slow.map((jobId) => stack().client.completion(chat('backoff'), { jobId }));
    await until(() => requestsTo(stack().fake, 'backoff-1').length === 2);
    await stack().client.completion(chat('quick'), { jobId: 'quick-b' });
    const backedOff = await Promise.all(waiting);

    const finished = async (id: string) => ((await stack().client.queue.getJob(id)) as Job).finishedOn!;
    const quickDone = await finished('quick-b');
    for (const [i, r] of backedOff.entries()) {
      expect(r.routing.attempts.map((a) => a.error?.type)).toEqual(['RateLimitError', undefined]);
      expect(quickDone).toBeLessThan(await finished(slow[i]!));
    }
    const backoffCalls = requestsTo(stack().fake, 'backoff-1');
    const quickCall = requestsTo(stack().fake, 'quick-1')[0]!;
    expect(quickCall.time).toBeLessThan(backoffCalls[2]!.time);
    // Each retry honoured retry-after (3 s) after the first 429.
    expect(backoffCalls[2]!.time - backoffCalls[0]!.time).toBeGreaterThanOrEqual(3000);
  });
});

describe('job_deadline_seconds', () => {
  it('bounds a job that would retry 100 times: it fails saying the deadline was reached', async () => {
    stack().fake.script([{ match: { model: 'endless-1' }, fault: { kind: 'error', status: 500 } }]);
    const err = await failureOf(stack().client.completion(chat('endless')));
    expect(err.type).toBe('InternalServerError');
    expect(err.message).toContain('job deadline reached');
    const job = (await stack().client.queue.getJob(err.jobId)) as Job;
    expect(job.finishedOn! - job.timestamp).toBeLessThanOrEqual(DEADLINE_SEC * 1000 + 2000);
    const calls = requestsTo(stack().fake, 'endless-1');
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.length).toBeLessThan(101);
    // No attempt started after the deadline.
    for (const c of calls) expect(c.time).toBeLessThan(job.timestamp + DEADLINE_SEC * 1000);
  });

  it('a retry-after beyond the deadline fails at once instead of waiting', async () => {
    stack().fake.script([{ match: { model: 'far-1' }, fault: { kind: 'rate-limit', retryAfterSec: 60 } }]);
    const err = await failureOf(stack().client.completion(chat('far')));
    expect(err.type).toBe('RateLimitError');
    expect(err.message).toContain('job deadline reached');
    expect(requestsTo(stack().fake, 'far-1')).toHaveLength(1);
  });
});
