// The suite every provider kind passes against its fake flavour, through the same `Providers` the worker uses:
// chat, streaming (`stream()` → OpenAI chunks), tools (plain and streamed), embeddings, errors classified on both
// paths, stream_timeout, usage and cost.
import { costOf, type ErrorType, SwitchyardError } from '@switchyard/core';
import { type FakeFault, startFakeProvider } from '@switchyard/testkit';

type FakeMidStream = Extract<FakeFault, { kind: 'mid-stream' }>['mode'];

import { describe, expect, it } from 'vitest';
import { type Chunk, type ProviderStream, StreamAssembler } from '../../src/index.ts';
import { plainConversation } from '../conversations.ts';
import { request } from '../deployment.ts';
import { useFakeProvider } from '../fixture.ts';
import { assemble } from './assemble.ts';
import { AWS_KEY, CASES } from './cases.ts';

const f = useFakeProvider({
  fake: { awsCredentials: { [AWS_KEY.accessKeyId]: AWS_KEY.secretAccessKey } },
  providers: { defaultTimeoutMs: 5_000 },
});

type Obj = Record<string, unknown>;

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

function chatBody(over: Obj = {}): Obj {
  return {
    model: 'group',
    messages: plainConversation(),
    temperature: 0.3,
    max_tokens: 50,
    stop: ['END'],
    ...over,
  };
}

async function drain(open: Promise<ProviderStream>): Promise<Chunk[]> {
  const out: Chunk[] = [];
  for await (const chunk of await open) out.push(chunk);
  return out;
}

async function failure(p: Promise<unknown>): Promise<SwitchyardError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SwitchyardError);
  return err as SwitchyardError;
}

describe.each(CASES.map((c) => ({ ...c, label: c.label ?? c.kind })))('$label', (c) => {
  it('chat completion: OpenAI shape, echoed answer, finish reason, usage', async () => {
    const dep = c.deployment(f.fake);
    const res = await f.providers.call(request(dep, 'chat.completions', chatBody()));
    expect(res.body).toMatchObject({
      object: 'chat.completion',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'echo: what is up' }, finish_reason: 'stop' },
      ],
    });
    expect(typeof res.body.id).toBe('string');
    expect(res.usage.promptTokens).toBeGreaterThan(0);
    expect(res.usage.completionTokens).toBeGreaterThan(0);
    expect(res.usage.totalTokens).toBe(res.usage.promptTokens + res.usage.completionTokens);
    expect(res.body.usage).toEqual({
      prompt_tokens: res.usage.promptTokens,
      completion_tokens: res.usage.completionTokens,
      total_tokens: res.usage.totalTokens,
    });
    expect(f.fake.requests).toHaveLength(1);
    expect(f.fake.requests[0]?.body).not.toHaveProperty('metadata');
  });

  it('cost comes from the price dataset (local models are unpriced)', async () => {
    const dep = c.deployment(f.fake);
    const res = await f.providers.call(request(dep, 'chat.completions', chatBody()));
    const cost = costOf(dep, res.usage);
    if (c.priced) expect(cost).toBeGreaterThan(0);
    else expect(cost).toBe(0);
  });

  it('streaming: OpenAI chunks that add up to the plain answer, usage alone in the last chunk', async () => {
    const dep = c.deployment(f.fake);
    const plain = await f.providers.call(request(dep, 'chat.completions', chatBody()));
    const chunks = await drain(f.providers.stream(request(dep, 'chat.completions', chatBody())));
    const got = assemble(chunks);
    expect(new Set(got.objects)).toEqual(new Set(['chat.completion.chunk']));
    expect(got.role).toBe('assistant');
    expect(got.text).toBe('echo: what is up');
    expect(got.finishReason).toBe('stop');
    expect(got.usage?.prompt_tokens).toBe(plain.usage.promptTokens);
    expect(got.usage?.completion_tokens).toBe(plain.usage.completionTokens);
    // As OpenAI's include_usage: one usage chunk, the last, with no choices.
    expect(chunks.filter((ch) => ch.usage !== undefined && ch.usage !== null)).toHaveLength(1);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: got.usage });
    // The worker assembles the returnvalue from the same chunks.
    const assembler = new StreamAssembler('chat.completions');
    for (const ch of chunks) assembler.add(ch);
    const whole = assembler.result(0);
    expect(whole.usage).toEqual(plain.usage);
    expect(costOf(dep, whole.usage)).toBe(costOf(dep, plain.usage));
    expect((whole.body.choices as Obj[])[0]).toMatchObject({
      message: { role: 'assistant', content: 'echo: what is up' },
      finish_reason: 'stop',
    });
  });

  it.runIf(c.completions)('streamed text completion: text_completion chunks', async () => {
    const dep = c.deployment(f.fake);
    const body = { model: 'g', prompt: 'say something', max_tokens: 20 };
    const chunks = await drain(f.providers.stream(request(dep, 'completions', body)));
    expect(new Set(chunks.map((ch) => ch.object))).toEqual(new Set(['text_completion']));
    const text = chunks.map((ch) => ((ch.choices as Obj[])[0]?.text as string | undefined) ?? '').join('');
    expect(text).toBe('echo: say something');
    expect(chunks.some((ch) => (ch.choices as Obj[])[0]?.finish_reason === 'stop')).toBe(true);
  });

  it.runIf(c.tools)(
    'tools: a tool call comes back in OpenAI form, and its result goes back in the provider form',
    async () => {
      const dep = c.deployment(f.fake);
      const first = await f.providers.call(
        request(dep, 'chat.completions', {
          model: 'g',
          messages: [{ role: 'user', content: 'weather in Paris?' }],
          tools: TOOLS,
        }),
      );
      const choice = (first.body.choices as Obj[])[0] as { message: Obj; finish_reason: string };
      expect(choice.finish_reason).toBe('tool_calls');
      const calls = choice.message.tool_calls as {
        id: string;
        type: string;
        function: { name: string; arguments: string };
      }[];
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
      expect(calls[0]?.id).toMatch(/\S/);
      expect(JSON.parse(calls[0]!.function.arguments)).toEqual({ echo: 'weather in Paris?' });

      const second = await f.providers.call(
        request(dep, 'chat.completions', {
          model: 'g',
          tools: TOOLS,
          messages: [
            { role: 'user', content: 'weather in Paris?' },
            { role: 'assistant', content: null, tool_calls: calls },
            { role: 'tool', tool_call_id: calls[0]!.id, content: 'sunny, 21C' },
          ],
        }),
      );
      expect((second.body.choices as Obj[])[0]).toMatchObject({
        message: { content: 'echo: sunny, 21C' },
        finish_reason: 'stop',
      });
    },
  );

  it.runIf(c.tools)('tools, streamed: the call arrives in OpenAI tool_calls deltas', async () => {
    const dep = c.deployment(f.fake);
    const body = { model: 'g', messages: [{ role: 'user', content: 'weather in Rome?' }], tools: TOOLS };
    const got = assemble(await drain(f.providers.stream(request(dep, 'chat.completions', body))));
    expect(got.finishReason).toBe('tool_calls');
    expect(got.toolCalls).toHaveLength(1);
    expect(got.toolCalls[0]?.name).toBe('get_weather');
    expect(got.toolCalls[0]?.id).toMatch(/\S/);
    expect(JSON.parse(got.toolCalls[0]!.arguments)).toEqual({ echo: 'weather in Rome?' });
  });

  it.runIf(c.embeddingModel !== undefined)(
    'embeddings: OpenAI list with one vector per input and usage',
    async () => {
      const dep = { ...c.deployment(f.fake), model: c.embeddingModel! };
      const res = await f.providers.call(
        request(dep, 'embeddings', { model: 'g', input: ['alpha', 'beta'] }),
      );
      const data = res.body.data as { object: string; index: number; embedding: number[] }[];
      expect(res.body.object).toBe('list');
      expect(data.map((d) => d.index)).toEqual([0, 1]);
      expect(data[0]?.object).toBe('embedding');
      expect(data[0]?.embedding.length).toBeGreaterThan(0);
      expect(data[0]?.embedding).not.toEqual(data[1]?.embedding);
      expect(res.usage.promptTokens).toBeGreaterThan(0);
    },
  );

  const faults: [string, FakeFault, ErrorType][] = [
    ['429', { kind: 'rate-limit', retryAfterSec: 3 }, 'RateLimitError'],
    ['500', { kind: 'error', status: 500 }, 'InternalServerError'],
    ['503 overload', { kind: 'error', status: 503 }, 'ServiceUnavailableError'],
    ['context window', { kind: 'context-window' }, 'ContextWindowExceededError'],
    ['safety block', { kind: 'content-policy' }, 'ContentPolicyViolationError'],
    ['not JSON', { kind: 'malformed' }, 'InternalServerError'],
  ];
  const modes = ['call', 'stream'] as const;
  it.each(modes.flatMap((mode) => faults.map(([name, fault, type]) => [mode, name, fault, type] as const)))(
    '%s: error %s → %s',
    async (mode, _name, fault, type) => {
      f.fake.script([{ fault }]);
      const dep = c.deployment(f.fake);
      const req = request(dep, 'chat.completions', chatBody());
      const err = await failure(mode === 'call' ? f.providers.call(req) : drain(f.providers.stream(req)));
      expect(err.type).toBe(type);
      expect(err.provider).toBe(c.kind);
      if (type === 'RateLimitError') expect(err.retryAfterMs).toBe(3000);
      if (dep.apiKey) expect(err.message).not.toContain(dep.apiKey);
    },
  );

  const midStream: [FakeMidStream, ErrorType[]][] = [
    ['error', ['InternalServerError', 'ServiceUnavailableError', 'APIConnectionError']],
    ['reset', ['APIConnectionError']],
    ['end', ['InternalServerError']],
    ['stall', ['Timeout']],
  ];
  it.each(midStream)(
    'streaming: a failure after content (%s) ends the chunks with a classified error',
    async (mode, types) => {
      f.fake.script([{ fault: { kind: 'mid-stream', afterChunks: 2, mode } }]);
      const dep = { ...c.deployment(f.fake), streamTimeoutMs: 300 };
      const seen: Chunk[] = [];
      const err = await failure(
        (async () => {
          for await (const chunk of await f.providers.stream(request(dep, 'chat.completions', chatBody())))
            seen.push(chunk);
        })(),
      );
      expect(types).toContain(err.type);
      expect(err.provider).toBe(c.kind);
      // Some of the answer had arrived: the failure is mid-answer, not a refusal to start.
      expect(assemble(seen).text).toMatch(/^echo: /);
      expect(assemble(seen).finishReason).toBeUndefined();
    },
  );

  it('a stream that stalls is cut at stream_timeout and classified as Timeout', async () => {
    f.fake.script([{ fault: { kind: 'hang' } }]);
    const dep = { ...c.deployment(f.fake), streamTimeoutMs: 150 };
    const err = await failure(drain(f.providers.stream(request(dep, 'chat.completions', chatBody()))));
    expect(err.type).toBe('Timeout');
    expect(err.message).toContain('stream_timeout');
  });

  it('a refused credential → AuthenticationError, the key never in the message', async () => {
    const guarded = await startFakeProvider({ apiKeys: ['the-right-key-0000'] });
    try {
      const dep = { ...c.deployment(guarded), apiKey: 'sk-wrong-key-0123456789' };
      const err = await failure(f.providers.call(request(dep, 'chat.completions', chatBody())));
      expect(err.type).toBe('AuthenticationError');
      expect(err.message).not.toContain('sk-wrong-key-0123456789');
    } finally {
      await guarded.close();
    }
  });
});
