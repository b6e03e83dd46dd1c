// The client's shared result waiter against a real Redis and a plain BullMQ worker (no Switchyard
// worker needed: the waiter only reads job events and job state).
import { useTestRedis } from '@switchyard/testkit/vitest';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SwitchyardClient } from '../src/client.ts';
import { CompletionError } from '../src/errors.ts';
import { ResultWaiter } from '../src/result-waiter.ts';

const db = useTestRedis();
let client: SwitchyardClient;

// Registered after useTestRedis's hooks: opened once Redis is up, closed before it stops.
beforeAll(async () => {
  client = new SwitchyardClient({ redisUrl: db.redis.url, timeoutMs: 10_000, pollMs: 100 });
  await client.ready();
});

afterAll(async () => {
  await client?.close();
});

function answering(value: (name: string) => unknown) {
  return new Worker(
    'switchyard',
    async (job) => {
      const v = value(job.name);
      if (v instanceof Error) throw v;
      return v;
    },
    { connection: { host: db.redis.host, port: db.redis.port, maxRetriesPerRequest: null } },
  );
}

it('settles two waits on the same job id, and a late reader, with the same result', async () => {
  const id = await client.enqueue('chat.completions', { model: 'g', messages: [] });
  const both = Promise.all([client.result(id), client.result(id)]);
  const worker = answering(() => ({ answer: 42 }));
  try {
    expect(await both).toEqual([{ answer: 42 }, { answer: 42 }]);
    expect(await client.result(id)).toEqual({ answer: 42 });
  } finally {
    await worker.close();
  }
});

it('keeps waiting through a Redis restart with no unhandled rejection, then gets the result', async () => {
  const id = await client.enqueue('chat.completions', { model: 'g', messages: [] });
  const waiting = client.result(id);
  // The 100 ms state poll runs into the outage: it must not reject into the void.
  db.redis.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 600));
  await db.redis.restart();
  // Without AOF the restarted Redis is empty: the job is added again under the same id.
  await client.queue.add('chat.completions', { model: 'g', messages: [] }, { jobId: id });
  const worker = answering(() => ({ answer: 'after outage' }));
  try {
    expect(await waiting).toEqual({ answer: 'after outage' });
  } finally {
    await worker.close();
  }
});

it('the state poll alone settles a wait whose event was missed: the result, or the failure reason', async () => {
  const queue = client.queue;
  const worker = answering((name) => (name === 'fails' ? new Error('RateLimitError: busy') : { answer: 7 }));
  const ids = { ok: 'missed-ok', failed: 'missed-failed' };
  try {
    await queue.add('chat.completions', { model: 'g', messages: [] }, { jobId: ids.ok });
    await queue.add('fails', { model: 'g', messages: [] }, { jobId: ids.failed });
    const settled = async (id: string) => ['completed', 'failed'].includes(await queue.getJobState(id));
    while (!(await settled(ids.ok)) || !(await settled(ids.failed)))
      await new Promise((r) => setTimeout(r, 20));
  } finally {
    await worker.close();
  }
  // A listener that starts now never sees those events: only the 100 ms poll of each job's state can answer.
  const waiter = new ResultWaiter(queue, { connection: { host: db.redis.host, port: db.redis.port } }, 100);
  try {
    await waiter.ready();
    const failed = waiter.wait(ids.failed, 10_000).then(
      () => 'resolved',
      (err: Error) => err,
    );
    expect(await waiter.wait(ids.ok, 10_000)).toEqual({ answer: 7 });
    expect(await failed).toBeInstanceOf(CompletionError);
    expect(String(await failed)).toContain('RateLimitError: busy');
  } finally {
    await waiter.close();
  }
});
