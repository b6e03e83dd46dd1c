// Request and response mapping of the Gemini / Vertex adapter (generateContent), and its stream mapper.
import { describe, expect, it } from 'vitest';
import { createGeminiStreamMapper, fromGeminiResponse, mapped, toGeminiRequest } from '../src/index.ts';

describe('toGeminiRequest', () => {
  it('system instruction, roles, images, tool calls and results, generation config, tool config', () => {
    const out = toGeminiRequest({
      messages: [
        { role: 'system', content: 'rule' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            { type: 'image_url', image_url: { url: 'gs://bucket/cat.webp' } },
          ],
        },
        {
          role: 'assistant',
          content: 'checking',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"found":true}' },
        { role: 'tool', tool_call_id: 'c1', content: 'plain text' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'lookup',
            description: 'd',
            parameters: { type: 'object', additionalProperties: false },
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      temperature: 0.2,
      top_p: 0.8,
      max_completion_tokens: 64,
      stop: 'END',
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
    });
    expect(out).toEqual({
      systemInstruction: { parts: [{ text: 'rule' }] },
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'look' },
            { inlineData: { mimeType: 'image/png', data: 'AAAA' } },
            { fileData: { mimeType: 'image/webp', fileUri: 'gs://bucket/cat.webp' } },
          ],
        },
        {
          role: 'model',
          parts: [{ text: 'checking' }, { functionCall: { name: 'lookup', args: { q: 'cat' } } }],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'lookup', response: { found: true } } },
            { functionResponse: { name: 'lookup', response: { content: 'plain text' } } },
          ],
        },
      ],
      generationConfig: {
        temperature: 0.2,
        topP: 0.8,
        maxOutputTokens: 64,
        stopSequences: ['END'],
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object' },
      },
      tools: [
        {
          functionDeclarations: [
            {
              name: 'lookup',
              description: 'd',
              parametersJsonSchema: { type: 'object', additionalProperties: false },
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['lookup'] } },
    });
  });

  it('a tool result that answers no earlier call is refused (Gemini needs the function name)', () => {
    const m = mapped(() =>
      toGeminiRequest({ messages: [{ role: 'tool', tool_call_id: 'zz', content: 'x' }] }),
    );
    expect(m).toEqual({ ok: false, error: 'tool message zz answers no earlier tool call' });
  });
});

describe('fromGeminiResponse', () => {
  it('skips thought parts, counts thinking tokens as completion, maps MAX_TOKENS to length', () => {
    const read = fromGeminiResponse(
      {
        candidates: [
          {
            content: { parts: [{ text: 'hmm', thought: true }, { text: 'answer' }] },
            finishReason: 'MAX_TOKENS',
          },
        ],
        usageMetadata: {
          promptTokenCount: 10,
          candidatesTokenCount: 5,
          thoughtsTokenCount: 7,
          totalTokenCount: 22,
        },
        modelVersion: 'gemini-2.5-pro',
        responseId: 'r1',
      },
      'gemini-2.5-pro',
      1_000_000,
    );
    expect(read).toMatchObject({
      kind: 'ok',
      usage: { promptTokens: 10, completionTokens: 12, totalTokens: 22 },
      body: {
        id: 'r1',
        model: 'gemini-2.5-pro',
        choices: [{ message: { content: 'answer' }, finish_reason: 'length' }],
      },
    });
  });

  it('a blocked prompt or an output stopped by safety with nothing in it is a block', () => {
    expect(fromGeminiResponse({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } }, 'm')).toEqual({
      kind: 'blocked',
      reason: 'prompt blocked (PROHIBITED_CONTENT)',
    });
    expect(fromGeminiResponse({ candidates: [{ finishReason: 'SAFETY' }] }, 'm')).toEqual({
      kind: 'blocked',
      reason: 'output blocked (SAFETY)',
    });
    // Partial text before the filter stopped it is kept, as OpenAI does: finish_reason content_filter.
    const partial = fromGeminiResponse(
      { candidates: [{ content: { parts: [{ text: 'par' }] }, finishReason: 'RECITATION' }] },
      'm',
    );
    expect(partial).toMatchObject({ kind: 'ok', body: { choices: [{ finish_reason: 'content_filter' }] } });
    expect(fromGeminiResponse({}, 'm')).toEqual({ kind: 'malformed' });
  });
});

describe('gemini stream mapper', () => {
  it('reports usage once, on the finishing event, and a prompt block as content_filter', () => {
    const map = createGeminiStreamMapper({ id: 'x', model: 'm', created: 1 });
    const a = map({
      candidates: [{ content: { parts: [{ text: 'Hel' }] } }],
      usageMetadata: { promptTokenCount: 3 },
    });
    const b = map({
      candidates: [{ content: { parts: [{ text: 'lo' }] }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2 },
    });
    expect([...a, ...b].filter((c) => c.usage)).toEqual([
      expect.objectContaining({ usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }),
    ]);
    const blocked = createGeminiStreamMapper({ id: 'y', model: 'm', created: 1 })({
      promptFeedback: { blockReason: 'SAFETY' },
    });
    expect(blocked.at(-1)).toMatchObject({ choices: [{ finish_reason: 'content_filter' }] });
  });
});
