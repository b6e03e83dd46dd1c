// Streaming through the queue with worker processes and the client SDK: chunks as they arrive, the
// whole answer as the job's returnvalue, retries unseen before the first chunk, failures after it.
import { type ChunkStream, CompletionError } from '@switchyard/client';
import { stateNamespace } from '@switchyard/core';
import { RoutingState } from '@switchyard/redis-state';
import { type LocalStack, startLocalStack } from '@switchyard/testkit';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';

let stack: LocalStack;

const deployment = (url: string, group: string, model: string, extra: object = {}) => ({
  model_name: group,
  litellm_params: { model: `openai/${model}`, api_base: `${url}/v1`, api_key: 'sk-test', ...extra },
  model_info: { id: model },
});

beforeAll(async () => {
  stack = await startLocalStack({
    fakes: [{ stream: { gapMs: 5 } }],
    workers: 1,
    config: ([fake]) => ({
      model_list: [
        deployment(fake!.url, 'solo', 'solo-model'),
        deployment(fake!.url, 'pair', 'pair-a', { order: 1 }),
        deployment(fake!.url, 'pair', 'pair-b', { order: 2 }),
        deployment(fake!.url, 'hasty', 'hasty-a', { order: 1, stream_timeout: 0.3 }),
        deployment(fake!.url, 'hasty', 'hasty-b', { order: 2, stream_timeout: 0.3 }),
        deployment(fake!.url, 'metered', 'metered-model', { tpm: 1_000_000 }),
        deployment(fake!.url, 'filtered', 'filtered-model'),
        deployment(fake!.url, 'safe', 'safe-model'),
        {
          model_name: 'azure',
          litellm_params: {
            model: 'azure/eu-deploy',
            api_base: fake!.url,
            api_key: 'az-key',
            api_version: '2024-10-21',
          },
          model_info: { id: 'azure-eu' },
        },
      ],
      router_settings: {
        num_retries: 2,
        retry_after: 0,
        allowed_fails: 1000,
        enable_pre_call_checks: true,
        content_policy_fallbacks: [{ filtered: ['safe'] }],
      },
    }),
  });
});
afterAll(() => stack?.stop());
beforeEach(() => stack.fakes[0]!.reset());

const chat = (model: string, content = 'stream me four words') => ({
  model,
  messages: [{ role: 'user', content }],
});

async function collect(stream: ChunkStream): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

const text = (chunks: Record<string, any>[]) =>
  chunks.map((c) => c.choices?.[0]?.delta?.content ?? c.choices?.[0]?.text ?? '').join('');

it('streams OpenAI chunks and keeps the whole answer plus routing as the returnvalue', async () => {
  const stream = stack.client.stream(chat('solo'));
  const chunks = await collect(stream);
  expect(chunks[0]).toMatchObject({
    object: 'chat.completion.chunk',
    choices: [{ delta: { role: 'assistant' } }],
  });
  expect(text(chunks)).toBe('echo: stream me four words');
  expect(chunks.at(-1)?.choices[0].finish_reason).toBe('stop');
  // Usage is requested from the provider for tpm, but not shown to a caller that did not ask.
  expect(chunks.some((c) => 'usage' in c)).toBe(false);
  expect(stream.serving).toMatchObject({ deploymentId: 'solo-model', modelGroup: 'solo' });
  expect(stream.routing).toMatchObject({ deploymentId: 'solo-model', cacheHit: false });

  const result = await stack.client.result(stream.jobId);
  expect(result?.choices).toEqual([
    expect.objectContaining({
      message: expect.objectContaining({ content: 'echo: stream me four words' }),
      finish_reason: 'stop',
    }),
  ]);
  expect(result?.usage).toMatchObject({ completion_tokens: expect.any(Number) });
  expect(result?.routing.deploymentId).toBe('solo-model');
});

it('ends with a usage chunk when stream_options.include_usage is set', async () => {
  const chunks = await collect(
    stack.client.stream({ ...chat('solo'), stream_options: { include_usage: true } }),
  );
  expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
});

it('streams text completions with textCompletion({stream: true})', async () => {
  const chunks = await collect(
    stack.client.textCompletion({ model: 'solo', prompt: 'say it', stream: true }),
  );
  expect(chunks[0]?.object).toBe('text_completion');
  expect(text(chunks)).toBe('echo: say it');
});

it('serves a stream from another deployment when the first fails before content, with no chunk of the failed one', async () => {
  stack.fakes[0]!.script([{ match: { model: 'pair-a' }, fault: { kind: 'error', status: 500 } }]);
  const stream = stack.client.stream(chat('pair'));
  const chunks = await collect(stream);
  expect(text(chunks)).toBe('echo: stream me four words');
  expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  expect(chunks.every((c) => c.model === 'pair-b')).toBe(true);
  expect(stream.routing?.attempts.map((a) => a.deploymentId)).toEqual(['pair-a', 'pair-b']);
});

it('moves on when the first deployment breaks its stream before any content', async () => {
  stack.fakes[0]!.script([
    { match: { model: 'pair-a' }, fault: { kind: 'mid-stream', afterChunks: 0, mode: 'reset' } },
  ]);
  const chunks = await collect(stack.client.stream(chat('pair')));
  expect(chunks.every((c) => c.model === 'pair-b')).toBe(true);
  expect(text(chunks)).toBe('echo: stream me four words');
});

it('ends the stream with the error and fails the job when the provider fails after the third chunk', async () => {
  stack.fakes[0]!.script([
    { match: { model: 'pair-a' }, fault: { kind: 'mid-stream', afterChunks: 3, mode: 'error' } },
  ]);
  const stream = stack.client.stream(chat('pair', 'one two three four five six'));
  const seen: Record<string, any>[] = [];
  const err = await (async () => {
    for await (const chunk of stream) seen.push(chunk);
  })().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CompletionError);
  expect((err as CompletionError).type).toBe('InternalServerError');
  expect(text(seen)).toBe('echo: one two ');
  expect(seen.every((c) => c.model === 'pair-a')).toBe(true);
  // No retry spliced onto the partial answer: pair-b was never called.
  expect(stack.fakes[0]!.requests.filter((r) => r.model === 'pair-b')).toHaveLength(0);
  await expect(stack.client.result(stream.jobId)).rejects.toMatchObject({ type: 'InternalServerError' });
});

it('stops reading on break and on an AbortSignal while the job completes', async () => {
  stack.fakes[0]!.script([{ stream: { gapMs: 20, chunks: 30 } }]);
  const stream = stack.client.stream(chat('solo'));
  let n = 0;
  for await (const _ of stream) if (++n === 2) break;
  expect(n).toBe(2);
  const done = await stack.client.result(stream.jobId);
  expect(done?.routing.deploymentId).toBe('solo-model');

  const controller = new AbortController();
  const aborted = stack.client.stream(chat('solo'), { signal: controller.signal });
  const err = await (async () => {
    for await (const _ of aborted) controller.abort();
  })().catch((e: unknown) => e);
  expect((err as Error).name).toBe('AbortError');
});

it('stream_timeout bounds the time to the first chunk: a slow first deployment is left for the next', async () => {
  stack.fakes[0]!.script([{ match: { model: 'hasty-a' }, latencyMs: 2_000 }]);
  const stream = stack.client.stream(chat('hasty'));
  expect(text(await collect(stream))).toBe('echo: stream me four words');
  expect(stream.routing?.attempts).toEqual([
    expect.objectContaining({ deploymentId: 'hasty-a', error: expect.objectContaining({ type: 'Timeout' }) }),
    expect.objectContaining({ deploymentId: 'hasty-b' }),
  ]);
});

it('a per-request stream_timeout bounds the wait for the first chunk', async () => {
  stack.fakes[0]!.script([{ match: { model: 'pair-a' }, latencyMs: 2_000 }]);
  const stream = stack.client.stream({ ...chat('pair'), stream_timeout: 0.3 });
  expect(text(await collect(stream))).toBe('echo: stream me four words');
  expect(stream.routing?.attempts).toEqual([
    expect.objectContaining({ deploymentId: 'pair-a', error: expect.objectContaining({ type: 'Timeout' }) }),
    expect.objectContaining({ deploymentId: 'pair-b' }),
  ]);
  // A router parameter: never sent to the provider.
  expect(stack.fakes[0]!.requests.at(-1)?.body).not.toHaveProperty('stream_timeout');
});

it('a streamed answer the content filter left empty goes to content_policy_fallbacks, unseen', async () => {
  const sse = (chunk: object) => `data: ${JSON.stringify(chunk)}\n\n`;
  const head = {
    id: 'chatcmpl-filtered',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'filtered-model',
  };
  stack.fakes[0]!.script([
    {
      match: { model: 'filtered-model' },
      fault: {
        kind: 'raw',
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: [
          sse({
            ...head,
            choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
          }),
          sse({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'content_filter' }] }),
          'data: [DONE]\n\n',
        ].join(''),
      },
    },
  ]);
  const stream = stack.client.stream(chat('filtered'));
  const chunks = await collect(stream);
  expect(text(chunks)).toBe('echo: stream me four words');
  expect(chunks.every((c) => c.model === 'safe-model')).toBe(true);
  expect(stream.routing?.modelGroup).toBe('safe');
  expect(stream.routing?.attempts[0]).toMatchObject({
    deploymentId: 'filtered-model',
    error: { type: 'ContentPolicyViolationError' },
  });
});

it('a stream that stalls between chunks is cut and the job fails with Timeout', async () => {
  stack.fakes[0]!.script([
    { match: { model: 'hasty-a' }, fault: { kind: 'mid-stream', afterChunks: 2, mode: 'stall' } },
  ]);
  const stream = stack.client.stream(chat('hasty'));
  const seen: Record<string, any>[] = [];
  const err = await (async () => {
    for await (const chunk of stream) seen.push(chunk);
  })().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CompletionError);
  expect((err as CompletionError).type).toBe('Timeout');
  expect((err as CompletionError).message).toContain('stalled');
  expect(text(seen)).toBe('echo: stream ');
});

it('streams from an Azure deployment', async () => {
  const stream = stack.client.stream(chat('azure'));
  expect(text(await collect(stream))).toBe('echo: stream me four words');
  expect(stack.fakes[0]!.requests.at(-1)?.path).toBe(
    '/openai/deployments/eu-deploy/chat/completions?api-version=2024-10-21',
  );
});

it('routing state: the slot is held until the last chunk, tpm comes from the final usage, latency is time to first chunk', async () => {
  stack.fakes[0]!.script([{ match: { model: 'metered-model' }, stream: { gapMs: 60, chunks: 10 } }]);
  const redis = stack.redis.client();
  const state = new RoutingState(redis, { prefix: stateNamespace({}) });
  const snapshot = async () => (await state.snapshot('metered', ['metered-model']))[0]!;
  try {
    const stream = stack.client.stream(chat('metered'));
    let inflightMidStream: number | undefined;
    for await (const _ of stream) inflightMidStream ??= (await snapshot()).inflight;
    expect(inflightMidStream).toBe(1);
    const result = await stack.client.result(stream.jobId);
    const usage = result?.usage as { total_tokens: number };
    // The outcome lands off the result's path: wait for it.
    let after = await snapshot();
    for (let i = 0; i < 50 && after.inflight !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await snapshot();
    }
    expect(after.inflight).toBe(0);
    expect(after.tpmUsed).toBe(usage.total_tokens);
    // The latency sample is the time to the first chunk, not the ~540 ms the whole answer took.
    expect(result!.routing.latencyMs).toBeGreaterThanOrEqual(500);
    expect(after.latencyMs).toBeLessThan(result!.routing.latencyMs / 2);
  } finally {
    redis.disconnect();
  }
});
