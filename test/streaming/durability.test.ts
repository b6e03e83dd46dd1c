// Streams that outlive their reader or their worker: resume after a disconnect, a worker SIGKILLed
// mid-answer (behaviour: the stream carries a `restart` marker, then a complete second answer — never
// a splice), a never-read stream expiring with the job's result, the length cap, and the cache.
import { type ChunkStream, StreamRestartError, StreamTrimmedError } from '@switchyard/client';
import { stateNamespace, streamKey } from '@switchyard/core';
import {
  type LocalStack,
  spawnWorkers,
  startLocalStack,
  stopWorkers,
  WORKER_START_TIMEOUT_MS,
} from '@switchyard/testkit';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';

/** Tests that start a worker of their own: its start-up wait, plus 30 s for their own work. */
const spawning = { timeout: WORKER_START_TIMEOUT_MS + 30_000 };

let stack: LocalStack;

const deployment = (url: string, group: string, model: string) => ({
  model_name: group,
  litellm_params: { model: `openai/${model}`, api_base: `${url}/v1`, api_key: 'sk-test' },
  model_info: { id: model },
});

beforeAll(async () => {
  stack = await startLocalStack({
    fakes: [{}],
    workers: 1,
    config: ([fake]) => ({
      model_list: [
        deployment(fake!.url, 'solo', 'solo-model'),
        deployment(fake!.url, 'cached', 'cached-model'),
      ],
      router_settings: { num_retries: 0, allowed_fails: 1000 },
      litellm_settings: { cache: true, cache_params: { type: 'redis', ttl: 60 } },
      // Locks lapse fast so a killed worker's job returns quickly; results (and streams) expire in 2 s.
      switchyard_settings: { lock_duration_ms: 1500, result_ttl_seconds: 2, stream_max_entries: 10 },
    }),
  });
});
afterAll(() => stack?.stop());
beforeEach(() => stack.fakes[0]!.reset());

const chat = (model: string, content: string) => ({ model, messages: [{ role: 'user', content }] });
const key = (jobId: string) => streamKey(stateNamespace({}), jobId);
const textOf = (chunks: Record<string, any>[]) =>
  chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');

async function readAll(stream: ChunkStream): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

it('a consumer that disconnected resumes after its last chunk, with no second provider call', async () => {
  stack.fakes[0]!.script([{ stream: { gapMs: 20, chunks: 6 } }]);
  const stream = stack.client.stream(chat('solo', 'resume me'));
  const first: Record<string, any>[] = [];
  for await (const chunk of stream) {
    first.push(chunk);
    if (first.length === 4) break; // the consumer goes away mid-answer
  }
  const rest = await readAll(stack.client.resume(stream.jobId, { after: stream.lastId! }));
  const whole = await readAll(stack.client.resume(stream.jobId));
  expect(textOf(first) + textOf(rest)).toBe(textOf(whole));
  expect(textOf(whole).startsWith('echo: resume me')).toBe(true);
  expect(stack.fakes[0]!.requests).toHaveLength(1);
});

it(
  'a worker SIGKILLed mid-stream: the consumer sees a restart marker, then reads a complete second answer',
  spawning,
  async () => {
    stack.fakes[0]!.script([{ stream: { gapMs: 100, chunks: 20 } }]);
    const stream = stack.client.stream(chat('solo', 'survive the kill'));
    const seen: Record<string, any>[] = [];
    const spare = spawnWorkers({ configPath: stack.configPath, redisUrl: stack.redis.url, count: 1 });
    const err = await (async () => {
      for await (const chunk of stream) {
        seen.push(chunk);
        if (seen.length === 3) stack.workers[0]!.child.kill('SIGKILL');
      }
    })().catch((e: unknown) => e);
    const survivors = await spare;
    try {
      expect(err).toBeInstanceOf(StreamRestartError);
      expect(seen.length).toBeGreaterThanOrEqual(3);
      const marker = (err as StreamRestartError).markerId;
      const second = await readAll(stack.client.resume(stream.jobId, { after: marker }));
      const result = await stack.client.result(stream.jobId);
      const content = (result!.choices as { message: { content: string } }[])[0]!.message.content;
      // The second answer is whole on its own: its text is the job's result, from its first word.
      expect(second[0]?.choices[0].delta.role).toBe('assistant');
      expect(textOf(second)).toBe(content);
      expect(content.startsWith('echo: survive the kill')).toBe(true);
      expect(stack.fakes[0]!.requests.length).toBe(2);
    } finally {
      await stopWorkers(survivors);
    }
  },
);

it('a never-read stream expires with the job result; its length stays capped', spawning, async () => {
  // A fresh worker: the previous test killed the stack's.
  const workers = await spawnWorkers({ configPath: stack.configPath, redisUrl: stack.redis.url, count: 1 });
  try {
    stack.fakes[0]!.script([{ stream: { gapMs: 5, chunks: 40 } }]);
    const jobId = await stack.client.enqueue('chat.completions', {
      ...chat('solo', 'nobody reads me'),
      stream: true,
    });
    await stack.client.result(jobId);
    const redis = stack.redis.client();
    try {
      expect(await redis.xlen(key(jobId))).toBe(10);
      const ttl = await redis.pttl(key(jobId));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(2000);
      // Trimmed: reading from the start says so instead of handing out a headless answer.
      await expect(readAll(stack.client.resume(jobId))).rejects.toBeInstanceOf(StreamTrimmedError);
      await new Promise((r) => setTimeout(r, ttl + 200));
      expect(await redis.exists(key(jobId))).toBe(0);
    } finally {
      redis.disconnect();
    }

    // The cache: a plain answer replays as a stream, and a streamed answer is cached whole.
    stack.fakes[0]!.script([]);
    const plain = await stack.client.completion(chat('cached', 'cache me'));
    const replay = stack.client.stream(chat('cached', 'cache me'));
    const chunks = await readAll(replay);
    expect(textOf(chunks)).toBe((plain.choices as { message: { content: string } }[])[0]!.message.content);
    expect(replay.routing?.cacheHit).toBe(true);
    await readAll(stack.client.stream(chat('cached', 'streamed first')));
    const fromCache = await stack.client.completion(chat('cached', 'streamed first'));
    expect(fromCache.routing.cacheHit).toBe(true);
    expect((fromCache.choices as { message: { content: string } }[])[0]!.message.content).toBe(
      'echo: streamed first',
    );
    expect(stack.fakes[0]!.requests.filter((r) => r.model === 'cached-model')).toHaveLength(2);
  } finally {
    await stopWorkers(workers);
  }
});
