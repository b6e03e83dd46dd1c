// Request and response mapping of the Bedrock adapter (Converse, embeddings) and its stream mapper.
import { SwitchyardError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import {
  bedrockModelId,
  createBedrockStreamMapper,
  embedFamily,
  fromBedrockEmbed,
  fromConverseResponse,
  mapped,
  toBedrockEmbed,
  toConverseRequest,
} from '../src/index.ts';

describe('toConverseRequest', () => {
  it('system, images, tool calls, tool results (JSON and text), inference config, tool choice', () => {
    const out = toConverseRequest({
      messages: [
        { role: 'system', content: 'rule' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'see' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 't1', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
            { id: 't2', type: 'function', function: { name: 'b', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 't1', content: '{"ok":true}' },
        { role: 'tool', tool_call_id: 't2', content: 'done' },
      ],
      tools: [
        { type: 'function', function: { name: 'a', description: 'A', parameters: { type: 'object' } } },
      ],
      tool_choice: 'required',
      max_tokens: 100,
      temperature: 0,
      top_p: 1,
      top_k: 40,
      stop: ['\n\n'],
    });
    expect(out).toEqual({
      system: [{ text: 'rule' }],
      messages: [
        {
          role: 'user',
          content: [{ text: 'see' }, { image: { format: 'jpeg', source: { bytes: '/9j/' } } }],
        },
        {
          role: 'assistant',
          content: [
            { toolUse: { toolUseId: 't1', name: 'a', input: { x: 1 } } },
            { toolUse: { toolUseId: 't2', name: 'b', input: {} } },
          ],
        },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 't1', content: [{ json: { ok: true } }] } },
            { toolResult: { toolUseId: 't2', content: [{ text: 'done' }] } },
          ],
        },
      ],
      inferenceConfig: { maxTokens: 100, temperature: 0, topP: 1, stopSequences: ['\n\n'] },
      additionalModelRequestFields: { top_k: 40 },
      toolConfig: {
        tools: [{ toolSpec: { name: 'a', description: 'A', inputSchema: { json: { type: 'object' } } } }],
        toolChoice: { any: {} },
      },
    });
  });

  it('refuses image links and image types Converse lacks', () => {
    const link = mapped(() =>
      toConverseRequest({
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: 'https://x/y.png' }] }],
      }),
    );
    expect(link).toEqual({ ok: false, error: 'bedrock takes images as data: URLs only' });
    const tiff = mapped(() =>
      toConverseRequest({
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: 'data:image/tiff;base64,AA' }] },
        ],
      }),
    );
    expect(tiff).toEqual({ ok: false, error: 'bedrock does not take image/tiff images' });
  });

  it('LiteLLM’s bedrock/converse/<model> names the model after the route', () => {
    expect(bedrockModelId('converse/us.anthropic.claude-3-7-sonnet-20250219-v1:0')).toBe(
      'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
    );
  });
});

describe('fromConverseResponse', () => {
  it('text and tool use, cached prompt tokens counted, guardrails as content_filter', () => {
    const read = fromConverseResponse(
      {
        output: {
          message: {
            role: 'assistant',
            content: [{ text: 'let me check' }, { toolUse: { toolUseId: 'x', name: 'f', input: { a: 1 } } }],
          },
        },
        stopReason: 'tool_use',
        usage: { inputTokens: 10, outputTokens: 4, cacheReadInputTokens: 90 },
      },
      'm',
      'chatcmpl-1',
    );
    expect(read?.usage).toEqual({ promptTokens: 100, completionTokens: 4, totalTokens: 104 });
    expect(read?.body).toMatchObject({
      choices: [
        {
          finish_reason: 'tool_calls',
          message: {
            content: 'let me check',
            tool_calls: [{ id: 'x', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
          },
        },
      ],
    });
    const guard = fromConverseResponse(
      {
        output: { message: { content: [{ text: 'Sorry, I cannot help.' }] } },
        stopReason: 'guardrail_intervened',
        usage: {},
      },
      'm',
      'c',
    );
    expect(guard?.body).toMatchObject({ choices: [{ finish_reason: 'content_filter' }] });
  });
});

describe('bedrock embeddings', () => {
  it('Titan takes one text a call, Cohere the list; other models are not embedders', () => {
    expect(embedFamily('amazon.titan-embed-text-v2:0')).toBe('titan');
    expect(embedFamily('us.cohere.embed-english-v3')).toBe('cohere');
    expect(embedFamily('anthropic.claude-3-haiku')).toBeUndefined();
    expect(toBedrockEmbed('titan', { input: ['a', 'b'], dimensions: 256 })).toEqual([
      { inputText: 'a', dimensions: 256 },
      { inputText: 'b', dimensions: 256 },
    ]);
    expect(toBedrockEmbed('cohere', { input: 'a' })).toEqual([
      { texts: ['a'], input_type: 'search_document' },
    ]);
    expect(fromBedrockEmbed('cohere', { embeddings: { float: [[1], [2]] } })).toEqual({
      vectors: [[1], [2]],
      tokens: 0,
    });
  });
});

describe('bedrock stream mapper', () => {
  it('tool-use blocks become numbered tool calls; the stop reason waits for the usage', () => {
    const map = createBedrockStreamMapper({ id: 'x', model: 'm', created: 1 });
    const chunks = [
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'hi' } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tu', name: 'f' } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"a"' } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: ':1}' } } } },
      { messageStop: { stopReason: 'tool_use' } },
      { metadata: { usage: { inputTokens: 5, outputTokens: 6 } } },
    ].flatMap((e) => map(e));
    expect(chunks.map((c) => (c.choices as { delta: unknown }[])[0]?.delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'hi' },
      { tool_calls: [{ index: 0, id: 'tu', type: 'function', function: { name: 'f', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] },
      { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] },
      {},
    ]);
    expect(chunks.at(-1)).toMatchObject({
      choices: [{ finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 },
    });
  });

  it('an exception event mid-stream is thrown as its taxonomy error', () => {
    const map = createBedrockStreamMapper({ id: 'x', model: 'm', created: 1 });
    let caught: unknown;
    try {
      map({ throttlingException: { message: 'slow down' } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SwitchyardError);
    expect((caught as SwitchyardError).type).toBe('RateLimitError');
  });
});
