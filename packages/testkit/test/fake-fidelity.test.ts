// The official SDKs must accept the fake's answers, or tests built on it prove nothing about real providers.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../src/index.ts';

let fake: FakeProvider;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  fake = await startFakeProvider();
  openai = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-test-openai-1234', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: fake.url, apiKey: 'sk-ant-test-5678', maxRetries: 0 });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('openai SDK against the fake', () => {
  it('chat completion echoes the last user message with usage', async () => {
    const res = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello there' },
      ],
    });
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('gpt-4o-mini');
    expect(res.choices[0]?.message.content).toBe('echo: hello there');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage?.total_tokens).toBe(
      (res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0),
    );
    expect(res.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('text completion', async () => {
    const res = await openai.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'say this' });
    expect(res.object).toBe('text_completion');
    expect(res.choices[0]?.text).toBe('echo: say this');
  });

  it('embeddings are deterministic per input', async () => {
    const res = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b', 'a'] });
    expect(res.data).toHaveLength(3);
    // The SDK asks for base64 by default and decodes it: the fake must answer in that encoding.
    expect(res.data[0]?.embedding).toHaveLength(8);
    for (const v of res.data[0]?.embedding ?? []) expect(Number.isFinite(v)).toBe(true);
    expect(res.data[0]?.embedding).toEqual(res.data[2]?.embedding);
    expect(res.data[0]?.embedding).not.toEqual(res.data[1]?.embedding);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('embeddings honour encoding_format: base64 (little-endian float32), as OpenAI does', async () => {
    const post = (format: string) =>
      fetch(`${fake.url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'text-embedding-3-small', input: 'a', encoding_format: format }),
      }).then((r) => r.json() as Promise<{ data: { embedding: unknown }[] }>);
    const [b64, floats] = await Promise.all([post('base64'), post('float')]);
    expect(typeof b64.data[0]?.embedding).toBe('string');
    const bytes = Buffer.from(b64.data[0]?.embedding as string, 'base64');
    const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
    const expected = floats.data[0]?.embedding as number[];
    expect(decoded).toHaveLength(expected.length);
    for (const [i, v] of decoded.entries()) expect(v).toBeCloseTo(expected[i]!, 5);
  });

  it('chat streaming yields the same text and a usage chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'stream me please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('echo: stream me please');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('offered tools: the fake calls the first one, streamed in tool_calls deltas the SDK assembles', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'lookup', parameters: { type: 'object', properties: {} } },
      },
    ];
    const stream = openai.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'find it' }],
      tools,
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' ? call.function : undefined).toMatchObject({ name: 'lookup' });
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '{}')).toEqual({
      echo: 'find it',
    });
  });

  it('a scripted 429 surfaces as RateLimitError with its retry-after header', async () => {
    fake.script([{ match: { model: 'gpt-4o-mini' }, fault: { kind: 'rate-limit', retryAfterSec: 7 } }]);
    const err = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('7');
    expect(fake.stats().models['gpt-4o-mini']?.errors[429]).toBe(1);
  });

  it('a context-window fault carries OpenAI’s error code', async () => {
    fake.script([{ fault: { kind: 'context-window' } }]);
    const err = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('context_length_exceeded');
  });
});

describe('anthropic SDK against the fake', () => {
  it('messages.create returns a text block and usage', async () => {
    const res = await anthropic.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      system: 'be brief',
      messages: [{ role: 'user', content: 'bonjour' }],
    });
    expect(res.type).toBe('message');
    expect(res.content[0]).toMatchObject({ type: 'text', text: 'echo: bonjour' });
    expect(res.stop_reason).toBe('end_turn');
    expect(res.usage.input_tokens).toBeGreaterThan(0);
    // This SDK version sends the key as a bearer token; the log redacts it either way.
    expect(fake.requests.at(-1)?.headers.authorization).toBe('***5678');
  });

  it('streaming assembles the final message', async () => {
    const stream = anthropic.messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'stream this' }],
    });
    let text = '';
    stream.on('text', (t) => {
      text += t;
    });
    const final = await stream.finalMessage();
    expect(text).toBe('echo: stream this');
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'echo: stream this' });
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it('offered tools: a tool_use block, streamed as input_json_delta the SDK assembles', async () => {
    const final = await anthropic.messages
      .stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'find it' }],
        tools: [{ name: 'lookup', input_schema: { type: 'object', properties: {} } }],
      })
      .finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'lookup', input: { echo: 'find it' } });
  });

  it('an overloaded fault surfaces as a 529 APIError with overloaded_error', async () => {
    fake.script([{ fault: { kind: 'error', status: 529 } }]);
    const err = await anthropic.messages
      .create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect(JSON.stringify((err as InstanceType<typeof Anthropic.APIError>).error)).toContain(
      'overloaded_error',
    );
  });
});
