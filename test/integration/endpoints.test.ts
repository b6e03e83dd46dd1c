// The non-chat endpoints through the client SDK and the queue, with real worker processes: images, audio in
// and out (capped), moderations, rerank; a provider without the endpoint is never picked; per-request drop_params.
import { CompletionError } from '@switchyard/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openaiDeployment, type Stack, startStack } from './harness.ts';

let stack: Stack;

/** The workers' cap in this file: small, so the caps are cheap to cross. */
const MAX_AUDIO_BYTES = 1_000_000;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => {
      const claude = (group: string) => ({
        model_name: group,
        litellm_params: { model: 'anthropic/claude-3-5-haiku', api_base: fake.url, api_key: 'an-key' },
        model_info: { id: `${group}-claude` },
      });
      return {
        model_list: [
          openaiDeployment(fake, 'dalle', 'dall-e-3'),
          claude('claude-only'),
          claude('mixed'),
          openaiDeployment(fake, 'mixed', 'gpt-image-1'),
          openaiDeployment(fake, 'whisper', 'whisper-1'),
          openaiDeployment(fake, 'flaky-whisper', 'whisper-flaky'),
          openaiDeployment(fake, 'priced-whisper', 'whisper-priced', { input_cost_per_second: 0.01 }),
          openaiDeployment(fake, 'tts', 'tts-1'),
          openaiDeployment(fake, 'mod', 'omni-moderation-latest'),
          openaiDeployment(fake, 'reranker', 'bge-reranker-v2'),
        ],
        router_settings: { num_retries: 0 },
        switchyard_settings: { max_audio_bytes: MAX_AUDIO_BYTES },
      };
    },
    // The first two uploads to whisper-flaky fail as a provider 500 would.
    fake: {
      rules: [{ match: { model: 'whisper-flaky' }, failFirst: 2, fault: { kind: 'error', status: 500 } }],
    },
    workers: 1,
  });
});

afterAll(async () => {
  await stack?.stop();
});

async function failure(promise: Promise<unknown>): Promise<CompletionError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the call should have failed').toBeInstanceOf(CompletionError);
  return err as CompletionError;
}

const sentTo = (path: string) => stack.fake.requests.filter((r) => r.path === path);

describe('images', () => {
  it('imageGeneration() answers the ImagesResponse with routing', async () => {
    const res = await stack.client.imageGeneration({ model: 'dalle', prompt: 'a lighthouse' });
    expect(res.data).toEqual([
      expect.objectContaining({ url: expect.any(String), revised_prompt: 'a lighthouse' }),
    ]);
    expect(res.routing).toMatchObject({ modelGroup: 'dalle', deploymentId: 'dall-e-3', provider: 'openai' });
  });

  it('a deployment whose provider lacks the endpoint is never picked for it', async () => {
    const before = stack.fake.requests.filter((r) => r.path === '/v1/messages').length;
    for (let i = 0; i < 6; i++) {
      const res = await stack.client.imageGeneration({ model: 'mixed', prompt: `try ${i}` });
      expect(res.routing.deploymentId).toBe('gpt-image-1');
      // gpt-image models report token usage: priced from the dataset, not zero.
      expect(res.routing.cost).toBeGreaterThan(0);
    }
    expect(stack.fake.requests.filter((r) => r.path === '/v1/messages').length).toBe(before);
  });

  it('a group with no deployment for the endpoint fails at once with BadRequestError naming group and endpoint', async () => {
    const before = stack.fake.requests.length;
    const err = await failure(stack.client.imageGeneration({ model: 'claude-only', prompt: 'a cat' }));
    expect(err.type).toBe('BadRequestError');
    expect(err.message).toBe(
      'model group "claude-only" has no deployment that serves images.generations (its providers: anthropic)',
    );
    expect(stack.fake.requests.length).toBe(before);
    // The same group still serves chat.
    const chat = await stack.client.completion({
      model: 'claude-only',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(chat.routing.provider).toBe('anthropic');
  });

  it('refuses stream: true on an endpoint that cannot stream', async () => {
    const err = await failure(stack.client.imageGeneration({ model: 'dalle', prompt: 'x', stream: true }));
    expect(err.message).toBe('images.generations cannot be streamed (stream: true)');
  });
});

describe('audio', () => {
  it('transcription() takes a Buffer; text formats come back as text', async () => {
    const audio = Buffer.alloc(32_000, 3);
    const json = await stack.client.transcription({
      model: 'whisper',
      file: { filename: 'a.mp3', data: audio },
    });
    expect(json.text).toBe('transcribed a.mp3 (32000 bytes)');
    const srt = await stack.client.translation({
      model: 'whisper',
      file: { filename: 'b.mp3', data: audio },
      response_format: 'srt',
    });
    expect(srt).toMatchObject({ object: 'audio.transcription.text', response_format: 'srt' });
    expect(srt.text).toMatch(/^1\n00:00:00,000 --> 00:00:02,000\ntranslated b\.mp3/);
    expect(sentTo('/v1/audio/translations').at(-1)?.body).toMatchObject({
      model: 'whisper-1',
      response_format: 'srt',
      file: { filename: 'b.mp3', bytes: 32_000 },
    });
  });

  it('prices a transcript by the seconds of the uploaded audio when the answer does not say them', async () => {
    const wav = silentWav(3);
    const priced = (response_format: string) =>
      stack.client.transcription({
        model: 'priced-whisper',
        file: { filename: 'quiet.wav', data: wav, content_type: 'audio/wav' },
        response_format,
      });
    // text, srt and vtt carry no duration: the 3 s come from the WAV header, at $0.01 a second.
    for (const format of ['text', 'srt', 'vtt']) {
      expect((await priced(format)).routing.cost).toBeCloseTo(0.03, 9);
    }
    // An answer that says its duration is believed: the fake counts 16 000 bytes a second, 6 s here.
    expect((await priced('json')).routing.cost).toBeCloseTo(0.06, 9);
  });

  it('a failed upload is retried like a chat call: the file goes again from the job data', async () => {
    const audio = Buffer.alloc(16_000, 9);
    const res = await stack.client.transcription({
      model: 'flaky-whisper',
      file: { filename: 'retry.mp3', data: audio },
      num_retries: 2,
    });
    expect(res.text).toBe('transcribed retry.mp3 (16000 bytes)');
    expect(res.routing.attempts.map((a) => a.error?.type ?? 'ok')).toEqual([
      'InternalServerError',
      'InternalServerError',
      'ok',
    ]);
    const uploads = sentTo('/v1/audio/transcriptions').filter((r) => r.model === 'whisper-flaky');
    expect(uploads.map((r) => (r.body as { file: { bytes: number } }).file.bytes)).toEqual([
      16_000, 16_000, 16_000,
    ]);
  });

  it('a file over max_audio_bytes is refused by the SDK before Redis, and by the worker from any producer', async () => {
    const big = Buffer.alloc(MAX_AUDIO_BYTES + 1, 1);
    const bounded = new (stack.client.constructor as typeof import('@switchyard/client').SwitchyardClient)({
      redisUrl: stack.redis.url,
      maxAudioBytes: MAX_AUDIO_BYTES,
    });
    try {
      const before = await bounded.queue.count();
      const sdk = await failure(
        bounded.transcription({ model: 'whisper', file: { filename: 'big.mp3', data: big } }),
      );
      expect(sdk.type).toBe('BadRequestError');
      expect(sdk.message).toContain(`more than max_audio_bytes (${MAX_AUDIO_BYTES} bytes)`);
      expect(await bounded.queue.count()).toBe(before);
    } finally {
      await bounded.close();
    }
    // A producer that does not know the cap (the default client allows 25 MiB): the worker refuses the job.
    const calls = sentTo('/v1/audio/transcriptions').length;
    const job = await failure(
      stack.client.transcription({ model: 'whisper', file: { filename: 'big.mp3', data: big } }),
    );
    expect(job.message).toBe(
      `audio.transcriptions: file is ${MAX_AUDIO_BYTES + 1} bytes, more than max_audio_bytes (${MAX_AUDIO_BYTES} bytes)`,
    );
    expect(sentTo('/v1/audio/transcriptions').length).toBe(calls);
  });

  it('speech() returns a Buffer with its content type; an answer over max_audio_bytes fails with BadRequestError', async () => {
    const audio = await stack.client.speech({
      model: 'tts',
      voice: 'nova',
      input: 'hi there',
      response_format: 'flac',
    });
    expect(Buffer.isBuffer(audio)).toBe(true);
    expect(audio.contentType).toBe('audio/flac');
    expect(audio.subarray(0, 10).toString()).toBe('FAKEAUDIO:');
    expect(audio.length).toBe(10 + 64 * 'hi there'.length);
    expect(audio.routing).toMatchObject({ modelGroup: 'tts', deploymentId: 'tts-1' });

    // The fake answers 64 bytes a character: 16,000 characters are just over the cap.
    const err = await failure(
      stack.client.speech({ model: 'tts', voice: 'nova', input: 'x'.repeat(16_000) }),
    );
    expect(err.type).toBe('BadRequestError');
    expect(err.message).toContain(`larger than max_audio_bytes (${MAX_AUDIO_BYTES} bytes)`);
  });
});

describe('moderations, rerank, drop_params', () => {
  it('moderation() and rerank()', async () => {
    const mod = await stack.client.moderation({ model: 'mod', input: 'violence' });
    expect((mod.results as { flagged: boolean }[])[0]?.flagged).toBe(true);
    const ranked = await stack.client.rerank({
      model: 'reranker',
      query: 'green tea',
      documents: [{ text: 'coffee' }, { text: 'green tea leaves' }],
      top_n: 1,
    });
    expect(ranked.results).toEqual([expect.objectContaining({ index: 1 })]);
    expect(ranked.routing.deploymentId).toBe('bge-reranker-v2');
  });

  it('rerank without documents is refused as bad job data', async () => {
    const err = await failure(stack.client.rerank({ model: 'reranker', query: 'q', documents: [] }));
    expect(err.type).toBe('BadRequestError');
    expect(err.message).toMatch(/^invalid rerank request: documents/);
  });

  it('per-request drop_params drops what the provider lacks; without it the request is refused', async () => {
    const body = { model: 'claude-only', messages: [{ role: 'user', content: 'hi' }], seed: 7 };
    const refused = await failure(stack.client.completion(body));
    expect(refused.type).toBe('BadRequestError');
    expect(refused.message).toContain('seed');
    const res = await stack.client.completion({ ...body, drop_params: true });
    expect(res.routing.provider).toBe('anthropic');
    const sent = stack.fake.requests.filter((r) => r.path === '/v1/messages').at(-1);
    expect(sent?.body).not.toHaveProperty('seed');
    expect(sent?.body).not.toHaveProperty('drop_params');
  });
});

/** A real WAV file: 16 kHz mono 16-bit PCM header and `seconds` of silence. */
function silentWav(seconds: number): Buffer {
  const rate = 16_000;
  const data = Buffer.alloc(rate * 2 * seconds);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // bytes per frame
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
