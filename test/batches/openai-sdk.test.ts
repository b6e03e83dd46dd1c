// OpenAI's Files + Batch API on the gateway, driven by the official `openai` SDK against a real worker
// process, real Redis and the fake provider: upload, create, watch, download, cancel, expire, refuse.
import { startGateway } from '@switchyard/gateway';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayStack, openaiDeployment, startGatewayStack } from '../integration/harness.ts';
import { chatLine, download, settle, upload } from './support.ts';

let stack: GatewayStack;

beforeAll(async () => {
  stack = await startGatewayStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'gpt', 'gpt-a'),
        openaiDeployment(fake, 'broken', 'broken-1'),
        // One call at a time, each slow: the rest of a batch waits in the queue, where cancel and expiry reach it.
        openaiDeployment(fake, 'trickle', 'trickle-1', { max_parallel_requests: 1 }),
      ],
      router_settings: { num_retries: 0, allowed_fails: 1000 },
    }),
    fake: {
      rules: [
        { match: { model: 'broken-1' }, fault: { kind: 'error', status: 500 } },
        { match: { model: 'trickle-1' }, latencyMs: 400 },
      ],
    },
    workers: 1,
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('a batch from upload to download', () => {
  it('runs every valid line as a routed job and writes OpenAI output and error files; a malformed line fails alone', async () => {
    const input = [
      chatLine({ custom_id: 'a', model: 'gpt' }),
      chatLine({ custom_id: 'b', model: 'gpt' }),
      '{"custom_id": "broken json", ',
      chatLine({ custom_id: 'c', model: 'broken' }),
      chatLine({ custom_id: 'd', model: 'gpt' }),
    ].join('\n');
    const file = await upload(stack.sdk, input, 'docs.jsonl');
    expect(file).toMatchObject({
      object: 'file',
      purpose: 'batch',
      filename: 'docs.jsonl',
      bytes: input.length,
    });
    expect(await stack.sdk.files.retrieve(file.id)).toMatchObject({ id: file.id, bytes: input.length });

    const created = await stack.sdk.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { job: 'nightly' },
    });
    expect(created).toMatchObject({ object: 'batch', input_file_id: file.id, metadata: { job: 'nightly' } });
    expect(['in_progress', 'finalizing', 'completed']).toContain(created.status);

    const { batch } = await settle(stack.sdk, created.id);
    expect(batch.status).toBe('completed');
    expect(batch.request_counts).toEqual({ total: 5, completed: 3, failed: 2 });
    expect(batch.completed_at).toEqual(expect.any(Number));
    expect(batch.expires_at).toBe(created.created_at + 86_400);

    const output = await download(stack.sdk, batch.output_file_id);
    expect(output.map((l) => l.custom_id)).toEqual(['a', 'b', 'd']);
    for (const line of output) {
      expect(line.error).toBeNull();
      expect(line.id).toMatch(/^batch_req_/);
      expect(line.response).toMatchObject({ status_code: 200, request_id: expect.any(String) });
      expect(line.response!.body).toMatchObject({
        object: 'chat.completion',
        routing: { deploymentId: 'gpt-a' },
      });
    }
    const errors = await download(stack.sdk, batch.error_file_id);
    expect(errors).toHaveLength(2);
    const [malformed, failed] = errors as [(typeof errors)[0], (typeof errors)[0]];
    expect(malformed).toMatchObject({
      custom_id: null,
      response: null,
      error: { code: 'invalid_json_line', line: 3 },
    });
    expect(malformed.error!.message).toMatch(/^line 3: /);
    expect(failed).toMatchObject({
      custom_id: 'c',
      error: null,
      response: { status_code: 500, body: { error: { type: 'server_error' } } },
    });
    expect((failed.response!.body.error as { message: string }).message).toMatch(/^InternalServerError: /);

    const listed = await stack.sdk.batches.list();
    expect(listed.data.map((b) => b.id)).toContain(batch.id);
  });

  it('fails at validating, with OpenAI errors, a file that is not JSONL or that names another endpoint', async () => {
    const csv = await upload(stack.sdk, 'custom_id,model\na,gpt\nb,gpt\n', 'not.csv');
    const notJsonl = await stack.sdk.batches.create({
      input_file_id: csv.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(notJsonl.status).toBe('failed');
    expect(notJsonl.failed_at).toEqual(expect.any(Number));
    expect(notJsonl.errors?.data?.[0]).toMatchObject({ code: 'invalid_file_format' });

    const embeddings = JSON.stringify({
      custom_id: 'e',
      method: 'POST',
      url: '/v1/embeddings',
      body: { model: 'gpt', input: 'x' },
    });
    const mixed = await upload(stack.sdk, `${chatLine({ custom_id: 'a', model: 'gpt' })}\n${embeddings}\n`);
    const wrongEndpoint = await stack.sdk.batches.create({
      input_file_id: mixed.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(wrongEndpoint.status).toBe('failed');
    expect(wrongEndpoint.errors?.data).toEqual([
      expect.objectContaining({ code: 'mismatched_endpoint', line: 2 }),
    ]);
    expect((await stack.sdk.batches.retrieve(wrongEndpoint.id)).status).toBe('failed');
    // Nothing was queued for either.
    expect(await stack.client.queue.getJob(`${wrongEndpoint.id}-1`)).toBeUndefined();
  });

  it('refuses an unknown file, a bad endpoint and a bad completion window with 400/404 in OpenAI shape', async () => {
    const missing = await stack.sdk.batches
      .create({ input_file_id: 'file-nope', endpoint: '/v1/chat/completions', completion_window: '24h' })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    const file = await upload(stack.sdk, chatLine({ custom_id: 'a', model: 'gpt' }));
    const badWindow = await stack.sdk.batches
      .create({
        input_file_id: file.id,
        endpoint: '/v1/chat/completions',
        completion_window: 'soon' as '24h',
      })
      .catch((e: unknown) => e);
    expect(badWindow).toBeInstanceOf(OpenAI.BadRequestError);
    expect((badWindow as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('completion_window');
    const badEndpoint = await stack.sdk.batches
      .create({ input_file_id: file.id, endpoint: '/v1/responses', completion_window: '24h' })
      .catch((e: unknown) => e);
    expect(badEndpoint).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('deletes a file: afterwards it is gone for retrieve and content', async () => {
    const file = await upload(stack.sdk, chatLine({ custom_id: 'a', model: 'gpt' }));
    expect(await stack.sdk.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
    await expect(stack.sdk.files.retrieve(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(stack.sdk.files.content(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('cancel and expiry', () => {
  const trickle = (n: number) =>
    Array.from({ length: n }, (_, i) => chatLine({ custom_id: `t${i}`, model: 'trickle' })).join('\n');

  it('cancel removes the waiting requests, lets the running one finish, and ends cancelled with what ran', async () => {
    const file = await upload(stack.sdk, trickle(12));
    const created = await stack.sdk.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    // Wait for the first answer, so one request has certainly run and others wait behind it.
    for (let b = created; b.request_counts!.completed < 1; b = await stack.sdk.batches.retrieve(created.id)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const cancelling = await stack.sdk.batches.cancel(created.id);
    expect(['cancelling', 'cancelled']).toContain(cancelling.status);
    const { batch } = await settle(stack.sdk, created.id);
    expect(batch.status).toBe('cancelled');
    expect(batch.cancelled_at).toEqual(expect.any(Number));
    const done = batch.request_counts!.completed;
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(12);
    const output = await download(stack.sdk, batch.output_file_id);
    expect(output).toHaveLength(done);
    // No request of the batch is left in the queue, and no provider call was made for the removed ones.
    const left = await stack.client.queue.getJobs(['wait', 'prioritized', 'delayed', 'active']);
    expect(left.filter((j) => j.id?.startsWith(created.id))).toEqual([]);
    const calls = stack.fake.requests.filter((r) =>
      String((r.body as { model?: string }).model).startsWith('trickle'),
    ).length;
    expect(calls).toBeLessThanOrEqual(done + 1);
    // A finished batch cannot be cancelled again into another state.
    expect((await stack.sdk.batches.cancel(created.id)).status).toBe('cancelled');
  });

  it('completion_window is the deadline: requests not started by then are written as batch_expired', async () => {
    const file = await upload(stack.sdk, trickle(10));
    const created = await stack.sdk.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '1s' as '24h',
    });
    const { batch } = await settle(stack.sdk, created.id);
    expect(batch.status).toBe('expired');
    expect(batch.expired_at).toEqual(expect.any(Number));
    const { total, completed, failed } = batch.request_counts!;
    expect(total).toBe(10);
    expect(completed).toBeGreaterThanOrEqual(1);
    expect(completed + failed).toBe(10);
    const errors = await download(stack.sdk, batch.error_file_id);
    expect(errors).toHaveLength(failed);
    for (const e of errors) {
      expect(e).toMatchObject({ response: null, error: { code: 'batch_expired' } });
    }
  });
});

describe('limits and restarts', () => {
  it('refuses a file over the cap with a 400 that names the cap and how to raise it', async () => {
    const small = await startGateway({ port: 0, redisUrl: stack.redis.url, batch: { maxFileBytes: 200 } });
    try {
      const capped = new OpenAI({ apiKey: 'unused', baseURL: `${small.url}/v1`, maxRetries: 0 });
      const big = Array.from({ length: 10 }, (_, i) => chatLine({ custom_id: `x${i}`, model: 'gpt' })).join(
        '\n',
      );
      const err = await upload(capped, big).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      const message = (err as Error).message;
      expect(message).toContain('the cap is 200 bytes');
      expect(message).toContain('--batch-max-file-bytes');
      expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('file_too_large');
    } finally {
      await small.close();
    }
  });

  it('refuses a batch with more requests than the cap, naming it', async () => {
    const small = await startGateway({ port: 0, redisUrl: stack.redis.url, batch: { maxRequests: 3 } });
    try {
      const capped = new OpenAI({ apiKey: 'unused', baseURL: `${small.url}/v1`, maxRetries: 0 });
      const four = Array.from({ length: 4 }, (_, i) => chatLine({ custom_id: `x${i}`, model: 'gpt' })).join(
        '\n',
      );
      const file = await upload(capped, four);
      const err = await capped.batches
        .create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as Error).message).toContain('the cap is 3 per batch');
      expect((err as Error).message).toContain('--batch-max-requests');
    } finally {
      await small.close();
    }
  });

  it('files, the finished batch and its output expire after the configured retention', async () => {
    const brief = await startGateway({ port: 0, redisUrl: stack.redis.url, batch: { retentionSec: 2 } });
    try {
      const short = new OpenAI({ apiKey: 'unused', baseURL: `${brief.url}/v1`, maxRetries: 0 });
      const file = await upload(short, chatLine({ custom_id: 'only', model: 'gpt' }));
      const created = await short.batches.create({
        input_file_id: file.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      });
      const { batch } = await settle(short, created.id);
      expect(batch.status).toBe('completed');
      expect(await download(short, batch.output_file_id)).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 2_500));
      await expect(short.files.retrieve(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      await expect(short.files.content(batch.output_file_id!)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      await expect(short.batches.retrieve(batch.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      expect((await short.batches.list()).data.map((b) => b.id)).not.toContain(batch.id);
    } finally {
      await brief.close();
    }
  });

  it('a batch created through one gateway is watched and downloaded through another after the first is gone', async () => {
    const first = await startGateway({ port: 0, redisUrl: stack.redis.url });
    const one = new OpenAI({ apiKey: 'unused', baseURL: `${first.url}/v1`, maxRetries: 0 });
    const file = await upload(
      one,
      [0, 1, 2].map((i) => chatLine({ custom_id: `r${i}`, model: 'gpt' })).join('\n'),
    );
    const created = await one.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    await first.close();
    const { batch } = await settle(stack.sdk, created.id);
    expect(batch.status).toBe('completed');
    expect((await download(stack.sdk, batch.output_file_id)).map((l) => l.custom_id)).toEqual([
      'r0',
      'r1',
      'r2',
    ]);
  });
});
