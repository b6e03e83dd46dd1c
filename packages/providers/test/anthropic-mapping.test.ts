// The pure OpenAI ⇄ Anthropic translation for the cases the fake never produces (tools, stop reasons, images).
import { describe, expect, it } from 'vitest';
import { fromAnthropicResponse, toAnthropicRequest } from '../src/index.ts';

describe('toAnthropicRequest', () => {
  it('maps tools, tool calls and tool results', () => {
    const mapped = toAnthropicRequest(
      {
        messages: [
          { role: 'user', content: 'weather?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'wx', arguments: '{"city":"Oslo"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        ],
        tools: [
          {
            type: 'function',
            function: { name: 'wx', description: 'weather', parameters: { type: 'object' } },
          },
        ],
        tool_choice: 'required',
        stop: ['a', 'b'],
        user: 'u-1',
      },
      'claude-x',
    );
    expect(mapped).toEqual({
      ok: true,
      value: {
        model: 'claude-x',
        messages: [
          { role: 'user', content: 'weather?' },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'call_1', name: 'wx', input: { city: 'Oslo' } }],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' }] },
        ],
        max_tokens: 4096,
        stop_sequences: ['a', 'b'],
        metadata: { user_id: 'u-1' },
        tools: [{ name: 'wx', description: 'weather', input_schema: { type: 'object' } }],
        tool_choice: { type: 'any' },
      },
    });
  });

  it('maps a data-URL image part to a base64 image block', () => {
    const mapped = toAnthropicRequest(
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }],
          },
        ],
      },
      'm',
    );
    expect(mapped.ok && mapped.value.messages).toEqual([
      {
        role: 'user',
        content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }],
      },
    ]);
  });

  it('rejects what Anthropic cannot express, with a reason', () => {
    expect(toAnthropicRequest({ messages: [{ role: 'user', content: 'x' }], n: 2 }, 'm')).toEqual({
      ok: false,
      error: 'n > 1 is not supported for anthropic',
    });
    expect(
      toAnthropicRequest({ messages: [{ role: 'user', content: [{ type: 'input_audio' }] }] }, 'm'),
    ).toMatchObject({
      ok: false,
    });
  });
});

describe('fromAnthropicResponse', () => {
  const base = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x' };

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
  ])('stop_reason %s → finish_reason %s', (stop, finish) => {
    const out = fromAnthropicResponse({ ...base, content: [{ type: 'text', text: 'x' }], stop_reason: stop });
    expect((out!.body.choices as { finish_reason: string }[])[0]?.finish_reason).toBe(finish);
  });

  it('tool_use blocks become tool_calls; cached prompt tokens count as prompt tokens', () => {
    const out = fromAnthropicResponse(
      {
        ...base,
        content: [{ type: 'tool_use', id: 'tu_1', name: 'wx', input: { city: 'Oslo' } }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 3 },
      },
      1_700_000_000_000,
    );
    expect(out?.body).toEqual({
      id: 'msg_1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-x',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'tu_1', type: 'function', function: { name: 'wx', arguments: '{"city":"Oslo"}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 15, completion_tokens: 3, total_tokens: 18 },
    });
    expect(out?.usage).toEqual({ promptTokens: 15, completionTokens: 3, totalTokens: 18 });
  });
});
