// `client.batch()`, `batchStatus()` and `cancelBatch()` against a real worker process: results in
// completion order, progress, cancel, and interactive jobs overtaking a batch's backlog.
import type { BatchOutputLine, BatchProgress } from '@switchyard/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../faults/helpers.ts';
import { chat, openaiDeployment, type Stack, startStack } from '../integration/harness.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'gpt', 'gpt-a'),
        openaiDeployment(fake, 'slow', 'slow-1'),
        openaiDeployment(fake, 'broken', 'broken-1'),
        openaiDeployment(fake, 'trickle', 'trickle-1', { max_parallel_requests: 1 }),
        // 10 requests per 2 s window (SWITCHYARD_WINDOW_MS below): a backlog that drains at 5/s.
        openaiDeployment(fake, 'paced', 'paced-1', { rpm: 10 }),
      ],
      router_settings: { num_retries: 0, allowed_fails: 1000 },
    }),
    fake: {
      rules: [
        { match: { model: 'broken-1' }, fault: { kind: 'error', status: 500 } },
        { match: { model: 'slow-1' }, latencyMs: 800 },
        { match: { model: 'trickle-1' }, latencyMs: 150 },
      ],
    },
    workers: 1,
    env: { SWITCHYARD_WINDOW_MS: '2000' },
  });
});

afterAll(async () => {
  await stack?.stop();
});

const body = (model: string, content = 'hi') => ({ model, messages: [{ role: 'user', content }] });

describe('client.batch', () => {
  it('yields every request once in completion order, with progress, and batchStatus agrees at the end', async () => {
    const progress: BatchProgress[] = [];
    const run = stack.client.batch(
      [
        { custom_id: 'slow', body: body('slow') },
        { custom_id: 'fast-1', body: body('gpt') },
        { custom_id: 'no-model', body: { messages: [] } },
        { custom_id: 'broken', body: body('broken') },
        { custom_id: 'fast-2', body: body('gpt') },
      ],
      { onProgress: (p) => progress.push(p) },
    );
    const seen: BatchOutputLine[] = [];
    for await (const line of run) seen.push(line);
    const order = seen.map((l) => l.custom_id);
    expect([...order].sort()).toEqual(['broken', 'fast-1', 'fast-2', 'no-model', 'slow']);
    // The slow request was first in the input and finishes last.
    expect(order.at(-1)).toBe('slow');
    const bySlot = new Map(seen.map((l) => [l.custom_id, l]));
    expect(bySlot.get('fast-1')).toMatchObject({ error: null, response: { status_code: 200 } });
    expect(bySlot.get('broken')).toMatchObject({ error: null, response: { status_code: 500 } });
    expect(bySlot.get('no-model')).toMatchObject({
      response: null,
      error: { code: 'missing_required_parameter', line: 3 },
    });
    const id = await run.id;
    expect(progress.at(-1)).toEqual({ batchId: id, total: 5, completed: 3, failed: 2 });
    expect(progress.map((p) => p.completed + p.failed)).toEqual([1, 2, 3, 4, 5]);
    await waitFor(
      async () => (await stack.client.batchStatus(id))?.status === 'completed',
      10_000,
      'completed',
    );
    expect((await stack.client.batchStatus(id))!.request_counts).toEqual({
      total: 5,
      completed: 3,
      failed: 2,
    });
  });

  it('cancelBatch ends the iteration early: waiting requests never run, running ones are yielded', async () => {
    const run = stack.client.batch(
      Array.from({ length: 15 }, (_, i) => ({ custom_id: `t${i}`, body: body('trickle', `t${i}`) })),
    );
    const seen: string[] = [];
    for await (const line of run) {
      seen.push(line.custom_id!);
      if (seen.length === 1) await stack.client.cancelBatch(await run.id);
    }
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.length).toBeLessThan(15);
    const batch = await stack.client.batchStatus(await run.id);
    expect(batch?.status).toBe('cancelled');
    expect(batch!.request_counts.completed).toBe(seen.length);
    // Requests a worker held at the moment of the cancel, before any call, do not start either.
    const calls = stack.fake.requests.filter((r) => (r.body as { model?: string }).model === 'trickle-1');
    expect(calls.length).toBeLessThanOrEqual(seen.length + 1);
  });

  it('an interactive request overtakes the waiting backlog of a batch on the same group', async () => {
    const run = stack.client.batch(
      Array.from({ length: 30 }, (_, i) => ({ custom_id: `b${i}`, body: body('paced', `b${i}`) })),
    );
    const id = await run.id;
    const drained = (async () => {
      for await (const _ of run);
    })();
    await waitFor(
      async () => ((await stack.client.batchStatus(id))?.request_counts.completed ?? 0) >= 1,
      10_000,
      'batch running',
    );
    const res = await stack.client.completion(chat('paced', 'interactive'));
    expect(res.routing.deploymentId).toBe('paced-1');
    // The group serves 5 a second: the interactive job waited for about one slot, not for the backlog.
    const doneWhenAnswered = (await stack.client.batchStatus(id))!.request_counts.completed;
    expect(doneWhenAnswered).toBeLessThan(20);
    await drained;
    expect((await stack.client.batchStatus(id))?.request_counts.completed).toBe(30);
  });
});
