// Request mapping of the Ollama and Cohere adapters: every OpenAI field lands where the provider expects it.
import { describe, expect, it } from 'vitest';
import {
  createCohereStreamMapper,
  createOllamaStreamMapper,
  fromCohereRerank,
  mapped,
  toCohereChat,
  toCohereEmbed,
  toCohereRerank,
  toOllamaChat,
  toOllamaGenerate,
} from '../src/index.ts';
import { plainConversation, toolConversation } from './conversations.ts';

describe('ollama_chat request', () => {
  it('maps roles, images, tools, tool results and sampling options', () => {
    const out = toOllamaChat(
      {
        messages: toolConversation('developer'),
        tools: [{ type: 'function', function: { name: 'look', parameters: { type: 'object' } } }],
        temperature: 0.1,
        top_p: 0.9,
        max_completion_tokens: 20,
        stop: 'X',
        seed: 7,
        response_format: { type: 'json_object' },
      },
      'llava',
    );
    expect(out).toEqual({
      model: 'llava',
      stream: false,
      options: { temperature: 0.1, top_p: 0.9, seed: 7, num_predict: 20, stop: ['X'] },
      format: 'json',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'what is this?', images: ['iVBORw0KGgo='] },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'look', arguments: { q: 1 } } }] },
        { role: 'tool', content: 'a cat', tool_name: 'look' },
      ],
      tools: [{ type: 'function', function: { name: 'look', parameters: { type: 'object' } } }],
    });
  });

  it('refuses image links (Ollama takes bytes) and n > 1', () => {
    const link = mapped(() =>
      toOllamaChat(
        { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: 'https://x/y.png' }] }] },
        'm',
      ),
    );
    expect(link).toEqual({ ok: false, error: 'ollama takes images as data: URLs only' });
    expect(mapped(() => toOllamaChat({ messages: [], n: 2 }, 'm')).ok).toBe(false);
  });
});

describe('ollama (generate) request', () => {
  it('renders the chat as one prompt, system apart, as LiteLLM does', () => {
    const out = toOllamaGenerate({ messages: plainConversation(), max_tokens: 5 }, 'llama3');
    expect(out).toEqual({
      model: 'llama3',
      stream: false,
      options: { num_predict: 5 },
      system: 'be brief',
      prompt:
        '### User:\nfirst question\n\n### Assistant:\nfirst answer\n\n### User:\nwhat is up\n\n### Assistant:\n',
    });
  });

  it('sends tools nowhere: they need ollama_chat/', () => {
    const m = mapped(() =>
      toOllamaGenerate(
        {
          messages: [{ role: 'user', content: 'x' }],
          tools: [{ type: 'function', function: { name: 'f' } }],
        },
        'm',
      ),
    );
    expect(m).toEqual({ ok: false, error: 'tools need the ollama_chat/ prefix (Ollama /api/chat)' });
  });
});

describe('cohere request', () => {
  it('renames sampling params, keeps the v2 message shape, maps tool_choice', () => {
    const messages = toolConversation('system');
    const out = toCohereChat(
      {
        messages,
        tools: [
          { type: 'function', function: { name: 'f', parameters: { type: 'object' } } },
          { type: 'function', function: { name: 'g', parameters: { type: 'object' } } },
        ],
        tool_choice: { type: 'function', function: { name: 'g' } },
        top_p: 0.5,
        top_k: 3,
        max_tokens: 9,
        stop: ['a', 'b'],
      },
      'command-a',
    );
    expect(out).toEqual({
      model: 'command-a',
      stream: false,
      // System, user parts and tool results keep their shape (v2's is OpenAI's); the assistant that said
      // nothing but its call has no content key.
      messages: [
        messages[0],
        messages[1],
        {
          role: 'assistant',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'look', arguments: '{"q":1}' } }],
        },
        messages[3],
      ],
      p: 0.5,
      k: 3,
      max_tokens: 9,
      stop_sequences: ['a', 'b'],
      tools: [{ type: 'function', function: { name: 'g', parameters: { type: 'object' } } }],
      tool_choice: 'REQUIRED',
    });
  });

  it('embeddings default to input_type search_document; rerank keeps LiteLLM’s shape', () => {
    expect(toCohereEmbed({ input: 'x', dimensions: 256 }, 'embed-v4.0')).toEqual({
      model: 'embed-v4.0',
      texts: ['x'],
      input_type: 'search_document',
      embedding_types: ['float'],
      output_dimension: 256,
    });
    const req = { query: 'q', documents: ['a', { text: 'b' }], top_n: 1, return_documents: true };
    expect(toCohereRerank(req, 'rerank-v3.5')).toEqual({
      model: 'rerank-v3.5',
      query: 'q',
      documents: ['a', 'b'],
      top_n: 1,
    });
    expect(
      fromCohereRerank({ id: 'r', results: [{ index: 1, relevance_score: 0.9 }], meta: {} }, req)?.body,
    ).toEqual({
      id: 'r',
      results: [{ index: 1, relevance_score: 0.9, document: { text: 'b' } }],
      meta: {},
    });
  });
});

describe('stream mappers', () => {
  const meta = { id: 'x', model: 'm', created: 1 };

  it('ollama: length cut-off becomes finish_reason length', () => {
    const map = createOllamaStreamMapper(meta);
    const chunks = [
      ...map({ message: { role: 'assistant', content: 'a' }, done: false }),
      ...map({
        message: { role: 'assistant', content: '' },
        done: true,
        done_reason: 'length',
        prompt_eval_count: 3,
        eval_count: 1,
      }),
    ];
    expect(chunks.map((c) => (c.choices as { finish_reason: unknown }[])[0]?.finish_reason)).toEqual([
      null,
      null,
      'length',
    ]);
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });
  });

  it('cohere: MAX_TOKENS → length; ignorable events emit nothing', () => {
    const map = createCohereStreamMapper(meta);
    expect(map({ type: 'citation-start' })).toEqual([]);
    const end = map({
      type: 'message-end',
      delta: { finish_reason: 'MAX_TOKENS', usage: { billed_units: { input_tokens: 2, output_tokens: 5 } } },
    });
    expect(end[0]).toMatchObject({
      choices: [{ finish_reason: 'length' }],
      usage: { prompt_tokens: 2, completion_tokens: 5, total_tokens: 7 },
    });
  });
});

describe('drop_params', () => {
  it('an OpenAI parameter the provider lacks is refused, or dropped with drop_params: true', async () => {
    const { createProviders } = await import('../src/index.ts');
    const { deployment, request } = await import('./deployment.ts');
    const providers = createProviders({ defaultTimeoutMs: 1_000 });
    try {
      // Port 9 (discard) is never called: the refusal happens before any I/O.
      const dep = deployment('cohere', 'http://127.0.0.1:9', { model: 'command-r' });
      const body = {
        model: 'g',
        messages: [{ role: 'user', content: 'x' }],
        logit_bias: { 1: 2 },
        user: 'u1',
      };
      const err = await providers.call(request(dep, 'chat.completions', body)).catch((e: unknown) => e);
      expect(String(err)).toMatch(
        /BadRequestError|cohere does not support parameters: logit_bias, user; set drop_params: true/,
      );
      expect((err as { type?: string }).type).toBe('BadRequestError');
      const dropped = await providers
        .call(request({ ...dep, dropParams: true }, 'chat.completions', body))
        .catch((e: unknown) => e as { type?: string });
      // Now the call goes out (and fails to connect): the parameters no longer stop it.
      expect((dropped as { type?: string }).type).toBe('APIConnectionError');
    } finally {
      await providers.close();
    }
  });
});
