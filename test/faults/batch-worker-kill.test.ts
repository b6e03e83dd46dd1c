// Injects: SIGKILL of one of two worker processes in the middle of a batch (one BullMQ flow). "No line
// lost, none duplicated" means: the batch completes, its output file has exactly one line per input
// line (every custom_id once), and no error file — BullMQ's stalled-job recovery re-runs the killed
// worker's requests, and the flow's parent records each child's result once, by job key.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chatLine } from '../batches/support.ts';
import type { Stack } from '../integration/harness.ts';
import { killOneWorker, startWorkerKillStack, waitFor } from './helpers.ts';

const LINES = 80;

let stack: Stack;

beforeAll(async () => {
  stack = await startWorkerKillStack({ latencyMs: 300, concurrency: 10 });
});

afterAll(async () => {
  await stack?.stop();
});

it('loses no line and duplicates none when a worker is SIGKILLed mid-batch', async () => {
  const batches = stack.client.batches;
  const input = Array.from({ length: LINES }, (_, i) => chatLine({ custom_id: `doc-${i}`, model: 'slow' }));
  const file = await batches.files.put({
    purpose: 'batch',
    filename: 'docs.jsonl',
    content: Buffer.from(input.join('\n')),
  });
  const created = await batches.create({
    input_file_id: file.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
  });
  // Kill once some lines are done and both workers hold requests in flight.
  await waitFor(
    async () => ((await batches.get(created.id))?.request_counts.completed ?? 0) >= 15,
    20_000,
    'a quarter of the batch done',
  );
  const survivor = await killOneWorker(stack);
  const before = (await batches.get(created.id))!.request_counts.completed;
  expect(before).toBeLessThan(LINES);

  let batch = await batches.get(created.id);
  await waitFor(
    async () => {
      batch = await batches.get(created.id);
      return batch?.status === 'completed';
    },
    40_000,
    'the batch to complete on the surviving worker',
  );
  expect(batch!.request_counts).toEqual({ total: LINES, completed: LINES, failed: 0 });
  expect(batch!.error_file_id).toBeNull();
  const text = (await batches.files.content(batch!.output_file_id!))!.toString('utf8');
  const ids = text
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { custom_id: string; response: { status_code: number } }).custom_id);
  expect(ids).toHaveLength(LINES);
  expect(new Set(ids)).toEqual(new Set(input.map((_, i) => `doc-${i}`)));
  // Provider calls are at-least-once: the victim's in-flight calls were sent again, nothing more.
  const repeated = stack.fake.requests.length - LINES;
  expect(repeated).toBeGreaterThanOrEqual(0);
  expect(repeated).toBeLessThanOrEqual(10);
  expect(survivor.child.exitCode).toBeNull();
  console.info(
    `batch sigkill: ${LINES} lines once each; killed at ${before} done, ${repeated} calls repeated`,
  );
});
