// `switchyard batch submit|status|cancel|results`: OpenAI-style batches from the command line, straight
// through Redis with the same store and flows as the gateway's /v1/batches: Redis, queue name, prefix and
// shards from --config as the workers read them (without it, REDIS_URL and the default queue).
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { BatchApiError } from '@switchyard/batch';
import type { SwitchyardClient } from '@switchyard/client';
import { type BatchObject, TERMINAL_BATCH_STATUSES } from '@switchyard/core';
import { SingleBar } from 'cli-progress';
import { endpointOf, withModel } from '../batch-input.ts';
import { withFleetClient } from '../fleet-command.ts';

export interface BatchCommandOptions {
  /** The workers' config.yaml. */
  config?: string;
  queue?: string;
}

export interface SubmitOptions extends BatchCommandOptions {
  model?: string;
  wait?: boolean;
  completionWindow: string;
}

/** Runs `fn` on the fleet's queue (fleet-command.ts); a refused request (BatchApiError) exits 1. */
function withClient(opts: BatchCommandOptions, fn: (client: SwitchyardClient) => Promise<number>) {
  return withFleetClient('batch', opts.config, (err) => err instanceof BatchApiError, fn, opts.queue);
}

export function runBatchSubmit(file: string, opts: SubmitOptions): Promise<void> {
  return withClient(opts, async (client) => {
    const original = readFileSync(file, 'utf8');
    const text = opts.model ? withModel(original, opts.model) : original;
    const endpoint = endpointOf(text);
    const input = await client.batches.files.put({
      purpose: 'batch',
      filename: basename(file),
      content: Buffer.from(text),
    });
    const batch = await client.batches.create({
      input_file_id: input.id,
      endpoint,
      completion_window: opts.completionWindow,
    });
    if (batch.status === 'failed') {
      process.stderr.write(`batch ${batch.id} failed validation:\n`);
      for (const e of batch.errors?.data ?? []) process.stderr.write(`  ${e.code}: ${e.message}\n`);
      return 1;
    }
    process.stdout.write(`${batch.id} created: ${batch.request_counts.total} requests to ${endpoint}\n`);
    if (!opts.wait) return 0;
    const done = await follow(client, batch);
    process.stdout.write(summary(done));
    return done.status === 'completed' ? 0 : 1;
  });
}

export function runBatchStatus(id: string, opts: BatchCommandOptions): Promise<void> {
  return withClient(opts, async (client) => {
    process.stdout.write(`${JSON.stringify(await client.batches.require(id), null, 2)}\n`);
    return 0;
  });
}

export function runBatchCancel(id: string, opts: BatchCommandOptions): Promise<void> {
  return withClient(opts, async (client) => {
    const batch = await client.cancelBatch(id);
    process.stdout.write(`${batch.id} ${batch.status}: ${counts(batch)}\n`);
    return 0;
  });
}

export function runBatchResults(
  id: string,
  opts: BatchCommandOptions & { output?: string; errors?: string },
): Promise<void> {
  return withClient(opts, async (client) => {
    const batch = await client.batches.require(id);
    if (!TERMINAL_BATCH_STATUSES.has(batch.status)) {
      process.stderr.write(`${id} is ${batch.status} (${counts(batch)}); results are written when it ends\n`);
      return 1;
    }
    const read = async (fileId: string | null) =>
      fileId ? ((await client.batches.files.content(fileId))?.toString('utf8') ?? '') : '';
    const output = await read(batch.output_file_id);
    if (opts.output) writeFileSync(opts.output, output);
    else process.stdout.write(output);
    const errors = await read(batch.error_file_id);
    if (opts.errors) writeFileSync(opts.errors, errors);
    else if (errors) {
      process.stderr.write(
        `${batch.request_counts.failed} failed lines are in ${batch.error_file_id}; save them with --errors FILE\n`,
      );
    }
    return 0;
  });
}

/** A progress bar on stderr (done / failed / rate / ETA) until the batch ends. */
async function follow(client: SwitchyardClient, first: BatchObject): Promise<BatchObject> {
  const bar = new SingleBar({
    format:
      'batch {bar} {value}/{total} | {completed} done, {failed} failed | {rate}/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 50,
    stream: process.stderr,
    // Piped to a file or CI log: a line every few seconds instead of nothing.
    noTTYOutput: true,
    notTTYSchedule: 5_000,
  });
  const started = Date.now();
  const payload = (b: BatchObject) => {
    const settled = b.request_counts.completed + b.request_counts.failed;
    return {
      completed: b.request_counts.completed,
      failed: b.request_counts.failed,
      rate: (settled / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(1),
    };
  };
  bar.start(first.request_counts.total, 0, payload(first));
  let batch = first;
  while (!TERMINAL_BATCH_STATUSES.has(batch.status)) {
    await new Promise((r) => setTimeout(r, 500));
    batch = (await client.batchStatus(first.id)) ?? batch;
    bar.update(batch.request_counts.completed + batch.request_counts.failed, payload(batch));
  }
  bar.stop();
  return batch;
}

function counts(b: BatchObject): string {
  const { total, completed, failed } = b.request_counts;
  return `${completed} done, ${failed} failed of ${total}`;
}

function summary(b: BatchObject): string {
  return (
    `${b.id} ${b.status}: ${counts(b)}\n` +
    (b.output_file_id ? `output: ${b.output_file_id}\n` : '') +
    (b.error_file_id ? `errors: ${b.error_file_id}\n` : '') +
    `download: switchyard batch results ${b.id} -o out.jsonl [--errors errors.jsonl]\n`
  );
}
