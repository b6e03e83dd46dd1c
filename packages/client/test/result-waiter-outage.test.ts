// Injects: the shared listener's connection parked for good during a Redis outage (ioredis `disconnect()`
// while `reconnecting`: no retry timer, no event — bullmq#4585's mechanism) while a caller waits. "Heard"
// means the caller gets the result within 5 s of Redis accepting connections, although its state poll is
// 2 minutes: the waiter replaces the listener, which resumes from the last event it saw, and re-reads
// every pending job's state. Real Redis, a plain BullMQ worker.
import { useTestRedis } from '@switchyard/testkit/vitest';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { ResultWaiter } from '../src/result-waiter.ts';

// The queue's connection is the hook's client (BullMQ wants maxRetriesPerRequest: null).
const db = useTestRedis({ appendonly: true, appendfsync: 'always', client: { maxRetriesPerRequest: null } });

const waitFor = async (cond: () => boolean, ms: number, what: string) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

it('a caller waiting through an outage hears its result within 5 s although the listener never reconnects', async () => {
  const queue = new Queue('outage', { connection: db.client });
  queue.on('error', () => {});
  // BullMQ gives QueueEvents a duplicate of this connection: keep a handle on it to park it.
  const events = new Redis(db.redis.url, { maxRetriesPerRequest: null });
  events.on('error', () => {});
  const duplicates: Redis[] = [];
  const duplicate = events.duplicate.bind(events);
  events.duplicate = (...args: Parameters<Redis['duplicate']>) => {
    const d = duplicate(...args);
    duplicates.push(d);
    return d;
  };
  const waiter = new ResultWaiter(queue, { connection: events }, 120_000);
  await waiter.ready();
  const worker = (name: string) =>
    new Worker('outage', async (job) => ({ answer: job.data.n }), {
      connection: { host: db.redis.host, port: db.redis.port, maxRetriesPerRequest: null },
      name,
    });
  try {
    // One result heard the ordinary way, so the listener has read an event.
    const first = worker('before');
    await queue.add('q', { n: 1 }, { jobId: 'one' });
    expect(await waiter.wait('one', 10_000)).toEqual({ answer: 1 });
    await first.close();

    await queue.add('q', { n: 2 }, { jobId: 'two' });
    const heard = waiter.wait('two', 60_000).then((v) => ({ v, at: Date.now() }));
    db.redis.kill('SIGKILL');
    const listener = duplicates.at(-1)!;
    await waitFor(() => listener.status === 'reconnecting', 10_000, 'the listener reconnecting');
    listener.disconnect();
    await new Promise((r) => setTimeout(r, 500));
    await db.redis.restart();
    const up = Date.now();
    const after = worker('after');
    try {
      const { v, at } = await heard;
      expect(v).toEqual({ answer: 2 });
      console.info(`result-waiter-outage: heard ${at - up} ms after Redis came back`);
      expect(at - up).toBeLessThan(5_000);
      expect(listener.status).toBe('reconnecting'); // the old listener really never came back
      expect(waiter.replacements).toBe(1);
    } finally {
      await after.close();
    }
  } finally {
    await waiter.close();
    await queue.close();
    events.disconnect();
  }
});
