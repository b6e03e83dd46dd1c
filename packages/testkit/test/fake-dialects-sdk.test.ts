// The fake's Cohere and Ollama flavours must satisfy each provider's official SDK, or tests built on them
// prove nothing about the real wire format.
import { CohereClientV2, CohereError } from 'cohere-ai';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../src/index.ts';

let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('cohere-ai (CohereClientV2) against the fake', () => {
  const client = () => new CohereClientV2({ token: 'co-test-key-1234', baseUrl: fake.url, maxRetries: 0 });

  it('chat: text answer, finish reason and billed usage', async () => {
    const res = await client().chat({
      model: 'command-a-03-2025',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello cohere' },
      ],
    });
    expect(res.finishReason).toBe('COMPLETE');
    const part = res.message.content?.[0];
    expect(part?.type === 'text' ? part.text : undefined).toBe('echo: hello cohere');
    expect(res.usage?.billedUnits?.inputTokens).toBeGreaterThan(0);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v2/chat', model: 'command-a-03-2025' });
    expect(fake.requests.at(-1)?.headers.authorization).toBe('***1234');
  });

  it('chat with tools: a tool call, then text about its result', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'lookup', description: 'find', parameters: { type: 'object', properties: {} } },
      },
    ];
    const first = await client().chat({
      model: 'command-r',
      messages: [{ role: 'user', content: 'find x' }],
      tools,
    });
    expect(first.finishReason).toBe('TOOL_CALL');
    const call = first.message.toolCalls?.[0];
    expect(call?.function?.name).toBe('lookup');
    expect(JSON.parse(call?.function?.arguments ?? '')).toEqual({ echo: 'find x' });
    const second = await client().chat({
      model: 'command-r',
      tools,
      messages: [
        { role: 'user', content: 'find x' },
        { role: 'assistant', toolCalls: [call!], toolPlan: first.message.toolPlan },
        { role: 'tool', toolCallId: call!.id!, content: 'x is 42' },
      ],
    });
    const part = second.message.content?.[0];
    expect(part?.type === 'text' ? part.text : undefined).toBe('echo: x is 42');
  });

  it('chat stream: deltas add up to the text; message-end carries usage', async () => {
    const stream = await client().chatStream({
      model: 'command-r',
      messages: [{ role: 'user', content: 'stream it now' }],
    });
    let text = '';
    let end: unknown;
    for await (const ev of stream) {
      if (ev.type === 'content-delta') text += ev.delta?.message?.content?.text ?? '';
      if (ev.type === 'message-end') end = ev.delta;
    }
    expect(text).toBe('echo: stream it now');
    expect(end).toMatchObject({
      finishReason: 'COMPLETE',
      usage: { billedUnits: { inputTokens: expect.any(Number) } },
    });
  });

  it('embed and rerank', async () => {
    const emb = await client().embed({
      model: 'embed-v4.0',
      texts: ['a', 'b'],
      inputType: 'search_document',
      embeddingTypes: ['float'],
    });
    expect(emb.embeddings.float).toHaveLength(2);
    expect(emb.embeddings.float?.[0]).toHaveLength(8);
    const rr = await client().rerank({
      model: 'rerank-v3.5',
      query: 'red apple',
      documents: ['a blue car', 'a red apple', 'an apple'],
      topN: 2,
    });
    expect(rr.results.map((r) => r.index)).toEqual([1, 2]);
    expect(rr.results[0]?.relevanceScore).toBe(1);
  });

  it('errors arrive as the SDK error class with status and message', async () => {
    fake.script([{ fault: { kind: 'rate-limit', retryAfterSec: 2 } }]);
    const err = await client()
      .chat({ model: 'command-r', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CohereError);
    expect((err as CohereError).statusCode).toBe(429);
    expect(JSON.stringify((err as CohereError).body)).toMatch(/Trial key/);
  });
});

describe('ollama (official JS client) against the fake', () => {
  const client = () => new Ollama({ host: fake.url });

  it('chat without streaming: message, done reason and counts', async () => {
    const res = await client().chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi llama' }] });
    expect(res.message).toMatchObject({ role: 'assistant', content: 'echo: hi llama' });
    expect(res.done_reason).toBe('stop');
    expect(res.prompt_eval_count).toBeGreaterThan(0);
    expect(res.eval_count).toBeGreaterThan(0);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/api/chat', body: { stream: false } });
  });

  it('chat streaming (NDJSON) and a tool call', async () => {
    const stream = await client().chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'stream me' }],
      stream: true,
    });
    let text = '';
    let last: { done?: boolean; eval_count?: number } = {};
    for await (const part of stream) {
      text += part.message.content;
      last = part;
    }
    expect(text).toBe('echo: stream me');
    expect(last.done).toBe(true);
    expect(last.eval_count).toBeGreaterThan(0);

    const tool = await client().chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [
        {
          type: 'function',
          function: { name: 'weather', description: 'w', parameters: { type: 'object', properties: {} } },
        },
      ],
    });
    expect(tool.message.tool_calls?.[0]?.function).toEqual({
      name: 'weather',
      arguments: { echo: 'weather?' },
    });
  });

  it('generate and embed', async () => {
    const gen = await client().generate({ model: 'llama3.2', prompt: 'complete this' });
    expect(gen.response).toBe('echo: complete this');
    const emb = await client().embed({ model: 'nomic-embed-text', input: ['a', 'b'] });
    expect(emb.embeddings).toHaveLength(2);
  });

  it('errors carry Ollama’s message and status', async () => {
    fake.script([{ fault: { kind: 'error', status: 404 } }]);
    const err = await client()
      .chat({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })
      .then(
        () => ({}) as { status_code?: number; message?: string },
        (e: unknown) => e as { status_code?: number; message?: string },
      );
    expect(err.status_code).toBe(404);
    expect(err.message).toMatch(/not found, try pulling it first/);
  });
});
