// Every OpenAI endpoint beyond chat through the gateway, seen from the official `openai` SDK: images, audio in
// (multipart) and out (bytes), moderations, rerank and the model list — real Redis, a real worker process,
// the fake provider answering as OpenAI, Azure, Anthropic and Cohere.
import { loadConfigFile } from '@switchyard/core';
import type { RunningGateway } from '@switchyard/gateway';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayStack, openaiDeployment, sdkError, startGatewayStack } from '../integration/harness.ts';

let stack: GatewayStack;
let gateway: RunningGateway;
let sdk: OpenAI;

/** A few seconds of pretend audio (the fake counts 16 kB a second). */
const AUDIO = Buffer.alloc(48_000, 7);

beforeAll(async () => {
  stack = await startGatewayStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'gpt', 'gpt-a'),
        openaiDeployment(fake, 'dalle', 'dall-e-3', { output_cost_per_image: 0.04 }),
        {
          model_name: 'azure-image',
          litellm_params: {
            model: 'azure/img-eu',
            api_base: fake.url,
            api_key: 'az-key',
            base_model: 'gpt-image-1',
          },
          model_info: { id: 'azure-img-eu' },
        },
        openaiDeployment(fake, 'whisper', 'whisper-1'),
        openaiDeployment(fake, 'tts', 'tts-1', { input_cost_per_character: 0.000015 }),
        openaiDeployment(fake, 'mod', 'omni-moderation-latest'),
        openaiDeployment(fake, 'reranker', 'bge-reranker-v2', { input_cost_per_query: 0.002 }),
        {
          model_name: 'cohere-rerank',
          litellm_params: { model: 'cohere/rerank-v3.5', api_base: fake.url, api_key: 'co-key' },
          model_info: { id: 'cohere-rerank' },
        },
        {
          model_name: 'claude',
          litellm_params: { model: 'anthropic/claude-3-5-haiku', api_base: fake.url, api_key: 'an-key' },
          model_info: { id: 'claude-haiku' },
        },
      ],
      router_settings: {
        num_retries: 0,
        model_group_alias: { 'public-gpt': 'gpt', 'secret-gpt': { model: 'gpt', hidden: true } },
      },
    }),
    workers: 1,
    gateway: ({ configPath }) => ({ config: loadConfigFile(configPath) }),
  });
  ({ gateway, sdk } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

interface Routed {
  routing: { modelGroup: string; deploymentId: string; cost: number; provider: string };
}
const routed = (x: unknown) => (x as Routed).routing;

describe('images.generations', () => {
  it('answers an ImagesResponse, priced per image from model_info', async () => {
    const res = await sdk.images.generate({ model: 'dalle', prompt: 'a red bicycle', n: 2 });
    expect(res.data).toHaveLength(2);
    expect(res.data?.[0]?.url).toMatch(/^https:\/\/fake\.invalid\/images\//);
    expect(routed(res)).toMatchObject({ modelGroup: 'dalle', deploymentId: 'dall-e-3' });
    expect(routed(res).cost).toBeCloseTo(0.08, 10);
    const sent = stack.fake.requests.filter((r) => r.path === '/v1/images/generations').at(-1);
    expect(sent?.body).toMatchObject({ model: 'dall-e-3', prompt: 'a red bicycle', n: 2 });
  });

  it('goes through the Azure adapter (deployment in the path) with b64_json and token usage priced by the dataset', async () => {
    const res = await sdk.images.generate({
      model: 'azure-image',
      prompt: 'a fox',
      response_format: 'b64_json',
    });
    expect(Buffer.from(res.data?.[0]?.b64_json ?? '', 'base64').toString()).toContain('a fox');
    expect(routed(res)).toMatchObject({ deploymentId: 'azure-img-eu', provider: 'azure' });
    const sent = stack.fake.requests.filter((r) => r.route?.provider === 'azure').at(-1);
    expect(sent?.path).toMatch(/^\/openai\/deployments\/img-eu\/images\/generations\?api-version=/);
  });

  it('a group served only by Anthropic fails at once with BadRequestError naming the group and the endpoint', async () => {
    const before = stack.fake.requests.length;
    const err = await sdkError(sdk.images.generate({ model: 'claude', prompt: 'a cat' }));
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toContain('BadRequestError');
    expect(err.message).toContain('"claude"');
    expect(err.message).toContain('images.generations');
    expect(stack.fake.requests.length).toBe(before);
  });
});

describe('audio', () => {
  it('transcribes a multipart upload (json), costed per second from the dataset (whisper-1)', async () => {
    const res = await sdk.audio.transcriptions.create({
      model: 'whisper',
      file: await toFile(AUDIO, 'meeting.mp3', { type: 'audio/mpeg' }),
      language: 'en',
    });
    expect(res.text).toBe(`transcribed meeting.mp3 (${AUDIO.length} bytes)`);
    expect(routed(res).modelGroup).toBe('whisper');
    // 3 s at $0.36 an hour.
    expect(routed(res).cost).toBeCloseTo((3 * 0.36) / 3600, 10);
    const sent = stack.fake.requests.filter((r) => r.path === '/v1/audio/transcriptions').at(-1);
    expect(sent?.body).toMatchObject({
      model: 'whisper-1',
      language: 'en',
      file: { filename: 'meeting.mp3', bytes: AUDIO.length, type: 'audio/mpeg' },
    });
  });

  it('serves every response_format: verbose_json with word timestamps, text, srt, vtt', async () => {
    const file = () => toFile(AUDIO, 'a.wav');
    const verbose = await sdk.audio.transcriptions.create({
      model: 'whisper',
      file: await file(),
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
    });
    expect(verbose.duration).toBe(3);
    expect(verbose.words?.length).toBeGreaterThan(0);
    expect(verbose.segments?.[0]?.end).toBe(3);

    const text = await sdk.audio.transcriptions.create({
      model: 'whisper',
      file: await file(),
      response_format: 'text',
    });
    expect(text).toBe(`transcribed a.wav (${AUDIO.length} bytes)\n`);
    const srt = await sdk.audio.transcriptions.create({
      model: 'whisper',
      file: await file(),
      response_format: 'srt',
    });
    expect(srt).toMatch(/^1\n00:00:00,000 --> 00:00:03,000\ntranscribed a\.wav/);
    const { data: vtt, response } = await sdk.audio.transcriptions
      .create({ model: 'whisper', file: await file(), response_format: 'vtt' })
      .withResponse();
    expect(vtt).toMatch(/^WEBVTT\n\n00:00:00\.000 --> 00:00:03\.000/);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.headers.get('x-switchyard-model-group')).toBe('whisper');
  });

  it('translates through audio.translations', async () => {
    const res = await sdk.audio.translations.create({
      model: 'whisper',
      file: await toFile(AUDIO, 'de.mp3'),
    });
    expect(res.text).toBe(`translated de.mp3 (${AUDIO.length} bytes)`);
  });

  it('refuses a 26 MiB upload with BadRequestError naming the cap, and queues nothing', async () => {
    const before = await stack.client.queue.count();
    const big = Buffer.alloc(26 * 1024 * 1024, 1);
    const err = await sdkError(
      sdk.audio.transcriptions.create({ model: 'whisper', file: await toFile(big, 'big.mp3') }),
    );
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toContain('max_audio_bytes (26214400 bytes)');
    expect(await stack.client.queue.count()).toBe(before);
  });

  it('speech: the audio bytes round-trip with their content type, priced per character', async () => {
    const input = 'Hello from the switchyard.';
    const res = await sdk.audio.speech.create({
      model: 'tts',
      voice: 'alloy',
      input,
      response_format: 'wav',
    });
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(res.headers.get('x-switchyard-deployment-id')).toBe('tts-1');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 10).toString()).toBe('FAKEAUDIO:');
    expect(bytes.length).toBe(10 + 64 * input.length);
    const late = await fetch(`${gateway.url}/v1/jobs/${res.headers.get('x-switchyard-job-id')}`);
    const stored = (await late.json()) as { content_type: string; data: string; routing: { cost: number } };
    expect(stored.content_type).toBe('audio/wav');
    expect(Buffer.from(stored.data, 'base64').equals(bytes)).toBe(true);
    expect(stored.routing.cost).toBeCloseTo(input.length * 0.000015, 10);
  });
});

describe('moderations and rerank', () => {
  it('moderations answer results per input', async () => {
    const res = await sdk.moderations.create({ model: 'mod', input: ['a calm day', 'graphic violence'] });
    expect(res.results.map((r) => r.flagged)).toEqual([false, true]);
    expect(routed(res).deploymentId).toBe('omni-moderation-latest');
  });

  it('rerank on an OpenAI-compatible server (/v1/rerank), Cohere-shaped, priced per query', async () => {
    const res = await sdk.post<{ results: { index: number; relevance_score: number }[] } & Routed>(
      '/rerank',
      {
        body: {
          model: 'reranker',
          query: 'red fruit',
          documents: ['blue sky', 'a red fruit', 'fruit'],
          top_n: 2,
        },
      },
    );
    expect(res.results.map((r) => r.index)).toEqual([1, 2]);
    expect(res.routing.cost).toBeCloseTo(0.002, 10);
    expect(stack.fake.requests.some((r) => r.path === '/v1/rerank')).toBe(true);
  });

  it('rerank through the cohere adapter (/v2/rerank)', async () => {
    const res = await sdk.post<{ results: { index: number }[] } & Routed>('/rerank', {
      body: { model: 'cohere-rerank', query: 'red fruit', documents: ['blue sky', 'a red fruit'], top_n: 1 },
    });
    expect(res.results.map((r) => r.index)).toEqual([1]);
    expect(res.routing.provider).toBe('cohere');
  });
});

describe('models', () => {
  it('lists model groups and visible aliases; a hidden alias is routable but not listed', async () => {
    const ids = [];
    for await (const m of sdk.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt', 'dalle', 'whisper', 'claude', 'public-gpt']));
    expect(ids).not.toContain('secret-gpt');
    expect((await sdk.models.retrieve('public-gpt')).id).toBe('public-gpt');
    expect(await sdkError(sdk.models.retrieve('secret-gpt'))).toBeInstanceOf(OpenAI.NotFoundError);
    const chat = await sdk.chat.completions.create({
      model: 'secret-gpt',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(routed(chat).modelGroup).toBe('gpt');
  });

  it('follows the live model list in Redis', async () => {
    await stack.client.addDeployment({
      model_name: 'added-live',
      litellm_params: {
        model: 'openai/gpt-live',
        api_base: `${stack.fake.url}/v1`,
        api_key: 'os.environ/NOPE',
      },
      model_info: { id: 'gpt-live' },
    });
    const ids = [];
    for await (const m of sdk.models.list()) ids.push(m.id);
    expect(ids).toContain('added-live');
  });
});
