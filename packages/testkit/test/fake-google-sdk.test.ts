// The fake's Gemini flavour must satisfy Google's official SDK (@google/genai), pointed at the fake through
// `httpOptions.baseUrl`, or tests built on them prove nothing about the real wire format. (The Vertex flavour
// is checked with the same SDK in packages/providers/test/vertex.test.ts, where google-auth-library lives.)
import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../src/index.ts';

let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('@google/genai (Gemini API) against the fake', () => {
  const ai = () => new GoogleGenAI({ apiKey: 'AIza-test-key-1234', httpOptions: { baseUrl: fake.url } });

  it('generateContent: text, finish reason, usage', async () => {
    const res = await ai().models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'hello gemini',
      config: { systemInstruction: 'be brief', maxOutputTokens: 20 },
    });
    expect(res.text).toBe('echo: hello gemini');
    expect(res.candidates?.[0]?.finishReason).toBe('STOP');
    expect(res.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    // This SDK version calls the `v1` surface; Switchyard calls `v1beta` (as LiteLLM does): the fake serves both.
    expect(fake.requests.at(-1)?.path).toMatch(/^\/v1(beta)?\/models\/gemini-2.5-flash:generateContent$/);
    expect(fake.requests.at(-1)?.model).toBe('gemini-2.5-flash');
    expect(fake.requests.at(-1)?.headers['x-goog-api-key']).toBe('AIza-test-key-1234');
  });

  it('function calling: a call, then text about its response', async () => {
    const tools = [
      { functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object' } }] },
    ];
    const first = await ai().models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'weather?',
      config: { tools },
    });
    expect(first.functionCalls?.[0]).toMatchObject({ name: 'get_weather', args: { echo: 'weather?' } });
    const second = await ai().models.generateContent({
      model: 'gemini-2.5-flash',
      config: { tools },
      contents: [
        { role: 'user', parts: [{ text: 'weather?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} } }] },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'get_weather', response: { content: 'sunny' } } }],
        },
      ],
    });
    expect(second.text).toBe('echo: sunny');
  });

  it('streamGenerateContent (SSE): chunks add up to the text, the last has usage', async () => {
    const stream = await ai().models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'stream this please',
    });
    let text = '';
    let last: { usageMetadata?: { candidatesTokenCount?: number } } = {};
    for await (const chunk of stream) {
      text += chunk.text ?? '';
      last = chunk;
    }
    expect(text).toBe('echo: stream this please');
    expect(last.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
    expect(fake.requests.at(-1)?.path).toMatch(
      /^\/v1(beta)?\/models\/gemini-2.5-flash:streamGenerateContent\?alt=sse$/,
    );
  });

  it('embedContent with several inputs', async () => {
    const res = await ai().models.embedContent({ model: 'gemini-embedding-001', contents: ['a', 'b'] });
    expect(res.embeddings).toHaveLength(2);
    expect(res.embeddings?.[0]?.values).toHaveLength(8);
  });

  it('a prompt block is a 200 with promptFeedback; errors are ApiError with Google’s status', async () => {
    fake.script([{ failFirst: 1, fault: { kind: 'content-policy' } }, { fault: { kind: 'rate-limit' } }]);
    const blocked = await ai().models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' });
    expect(blocked.promptFeedback?.blockReason).toBe('SAFETY');
    expect(blocked.candidates).toBeUndefined();
    const err = await ai()
      .models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
    expect((err as ApiError).message).toMatch(/RESOURCE_EXHAUSTED/);
  });
});
