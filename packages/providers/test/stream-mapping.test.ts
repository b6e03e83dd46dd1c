// Pure streaming pieces: Anthropic events → OpenAI chunks (text and tool-call deltas), and chunks
// assembled back into the whole response.
import { createAnthropicChunkMapper, StreamAssembler } from '@switchyard/providers';
import { describe, expect, it } from 'vitest';

const ev = (data: object) => ({ event: (data as { type: string }).type, data: JSON.stringify(data) });

describe('Anthropic stream mapping', () => {
  const events = [
    ev({
      type: 'message_start',
      message: { id: 'msg_1', model: 'claude-x', usage: { input_tokens: 12, output_tokens: 1 } },
    }),
    ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ev({ type: 'ping' }),
    ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me ' } }),
    ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'check.' } }),
    ev({ type: 'content_block_stop', index: 0 }),
    ev({
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_1', name: 'weather', input: {} },
    }),
    ev({
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: '{"city":' },
    }),
    ev({
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: '"Oslo"}' },
    }),
    ev({ type: 'content_block_stop', index: 1 }),
    ev({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 30 } }),
    ev({ type: 'message_stop' }),
  ];

  it('maps text, tool-use blocks, the finish reason and usage onto OpenAI chunks', () => {
    const map = createAnthropicChunkMapper(() => 1_700_000_000_000);
    const decoded = events.map(map);
    expect(decoded.at(-1)?.end).toBe(true);
    const chunks = decoded.flatMap((d) => d.chunks);
    expect(chunks[0]).toMatchObject({
      id: 'msg_1',
      object: 'chat.completion.chunk',
      model: 'claude-x',
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    });
    const deltas = chunks.map((c) => (c.choices as { delta: Record<string, unknown> }[])[0]?.delta);
    expect(deltas).toContainEqual({
      tool_calls: [
        { index: 0, id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '' } },
      ],
    });
    expect(deltas).toContainEqual({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] });
    expect(chunks.find((c) => (c.choices as { finish_reason: unknown }[])[0]?.finish_reason)).toMatchObject({
      choices: [{ finish_reason: 'tool_calls' }],
    });
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 },
    });

    const assembler = new StreamAssembler('chat.completions');
    for (const c of chunks) assembler.add(c);
    const { body, usage } = assembler.result(0);
    expect(usage).toEqual({ promptTokens: 12, completionTokens: 30, totalTokens: 42 });
    expect(body).toMatchObject({
      id: 'msg_1',
      object: 'chat.completion',
      choices: [
        {
          message: {
            role: 'assistant',
            content: 'Let me check.',
            tool_calls: [
              {
                id: 'toolu_1',
                type: 'function',
                function: { name: 'weather', arguments: '{"city":"Oslo"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
    });
  });

  it('raises the in-stream error event', () => {
    const map = createAnthropicChunkMapper();
    expect(() =>
      map(ev({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })),
    ).toThrow();
  });
});

describe('StreamAssembler', () => {
  it('estimates usage when the provider sent none', () => {
    const a = new StreamAssembler('completions');
    a.add({
      id: 'c1',
      object: 'text_completion',
      choices: [{ index: 0, text: 'abcdefgh', finish_reason: null }],
    });
    a.add({
      id: 'c1',
      object: 'text_completion',
      choices: [{ index: 0, text: '', finish_reason: 'length' }],
    });
    const { body, usage } = a.result(5);
    expect(usage).toEqual({ promptTokens: 5, completionTokens: 2, totalTokens: 7 });
    expect(body.choices).toEqual([{ text: 'abcdefgh', index: 0, logprobs: null, finish_reason: 'length' }]);
    expect(a.contentChunks).toBe(1);
  });
});
