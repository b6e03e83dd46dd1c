// `stream: true` through the HTTP gateway, read by the official `openai` SDK and by raw SSE: real Redis,
// a worker process, the fake provider (OpenAI and Anthropic dialects).
import { randomUUID } from 'node:crypto';
import { startGateway } from '@switchyard/gateway';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type GatewayStack, startGatewayStack } from '../integration/harness.ts';

let stack: GatewayStack;

beforeAll(async () => {
  stack = await startGatewayStack({
    fake: { stream: { gapMs: 2 } },
    workers: 1,
    config: (fake) => ({
      model_list: [
        {
          model_name: 'gpt',
          litellm_params: { model: 'openai/gpt-a', api_base: `${fake.url}/v1`, api_key: 'sk-t' },
          model_info: { id: 'gpt-a' },
        },
        {
          model_name: 'instruct',
          litellm_params: { model: 'openai/instruct-a', api_base: `${fake.url}/v1`, api_key: 'sk-t' },
          model_info: { id: 'instruct-a' },
        },
        {
          model_name: 'claude',
          litellm_params: { model: 'anthropic/claude-x', api_base: fake.url, api_key: 'sk-ant' },
          model_info: { id: 'claude-x' },
        },
        {
          model_name: 'gemini',
          litellm_params: { model: 'gemini/gemini-2.5-flash', api_base: fake.url, api_key: 'AIza-test' },
          model_info: { id: 'gemini-flash' },
        },
        {
          model_name: 'broken',
          litellm_params: { model: 'openai/broken-a', api_base: `${fake.url}/v1`, api_key: 'sk-t' },
          model_info: { id: 'broken-a' },
        },
      ],
      router_settings: { num_retries: 0, allowed_fails: 1000 },
    }),
  });
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(() => stack.fake.reset());

const ask = (model: string, content = 'hello there friend') => ({
  model,
  messages: [{ role: 'user' as const, content }],
});

/** Raw SSE events of a response: `{id, data}` per event. */
async function sseEvents(res: Response): Promise<{ id?: string; data: string }[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return id === undefined ? { data } : { id, data };
    });
}

it('the openai SDK streams chat chunks through the gateway, usage chunk included when asked', async () => {
  const { data: stream, response } = await stack.sdk.chat.completions
    .create({ ...ask('gpt'), stream: true, stream_options: { include_usage: true } })
    .withResponse();
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  // Routing headers arrive before the first chunk.
  expect(response.headers.get('x-switchyard-deployment-id')).toBe('gpt-a');
  expect(response.headers.get('x-switchyard-model-group')).toBe('gpt');
  const jobId = response.headers.get('x-switchyard-job-id');
  let text = '';
  let usage: OpenAI.CompletionUsage | null | undefined;
  let finish: string | null | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
    if (chunk.usage) usage = chunk.usage;
  }
  expect(text).toBe('echo: hello there friend');
  expect(finish).toBe('stop');
  expect(usage?.total_tokens).toBeGreaterThan(0);
  // The job's stored result is the whole answer.
  const late = (await (await fetch(`${stack.gateway.url}/v1/jobs/${jobId}`)).json()) as Record<string, any>;
  expect(late.choices[0].message.content).toBe('echo: hello there friend');
});

it('the openai SDK helper (chat.completions.stream) assembles the final message', async () => {
  const runner = stack.sdk.chat.completions.stream(ask('gpt', 'helper check'));
  const final = await runner.finalChatCompletion();
  expect(final.choices[0]?.message.content).toBe('echo: helper check');
});

it('streams text completions as OpenAI does', async () => {
  const stream = await stack.sdk.completions.create({
    model: 'instruct',
    prompt: 'legacy please',
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
  expect(text).toBe('echo: legacy please');
});

it('streams an Anthropic deployment as OpenAI chunks', async () => {
  const stream = await stack.sdk.chat.completions.create({
    ...ask('claude', 'from claude'),
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
  expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('echo: from claude');
  expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop');
  expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
  expect(stack.fake.requests.at(-1)?.path).toBe('/v1/messages');
});

it("the openai SDK's stream helper assembles a Gemini tool call streamed through the gateway", async () => {
  const final = await stack.sdk.chat.completions
    .stream({
      ...ask('gemini', 'weather in Oslo?'),
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
        },
      ],
    })
    .finalChatCompletion();
  const call = final.choices[0]?.message.tool_calls?.[0];
  expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  expect(call?.type === 'function' ? call.function.name : undefined).toBe('get_weather');
  expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '{}')).toEqual({
    echo: 'weather in Oslo?',
  });
  expect(stack.fake.requests.at(-1)?.path).toBe(
    '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
  );
});

it('answers a failure before any chunk with the taxonomy status, as for a plain call', async () => {
  stack.fake.script([{ match: { model: 'broken-a' }, fault: { kind: 'rate-limit' } }]);
  const err = await stack.sdk.chat.completions
    .create({ ...ask('broken'), stream: true })
    .then(async (s) => {
      for await (const _ of s);
    })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.RateLimitError);
});

it('a failure after content ends the event stream with an error event the SDK raises', async () => {
  stack.fake.script([
    { match: { model: 'broken-a' }, fault: { kind: 'mid-stream', afterChunks: 3, mode: 'reset' } },
  ]);
  let text = '';
  const err = await stack.sdk.chat.completions
    .create({ ...ask('broken', 'one two three four five'), stream: true })
    .then(async (s) => {
      for await (const chunk of s) text += chunk.choices[0]?.delta.content ?? '';
    })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.APIError);
  expect((err as Error).message).toContain('APIConnectionError');
  expect(text).toBe('echo: one two ');
});

it('resumes with Last-Event-ID after a disconnect, with no second provider call', async () => {
  stack.fake.script([{ match: { model: 'gpt-a' }, stream: { gapMs: 15, chunks: 12 } }]);
  const controller = new AbortController();
  const res = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...ask('gpt'), stream: true }),
    signal: controller.signal,
  });
  // Read until a few content events arrived, then drop the connection.
  const reader = res.body!.getReader();
  let buffered = '';
  while ((buffered.match(/\n\n/g) ?? []).length < 4)
    buffered += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  const before = buffered
    .split('\n\n')
    .filter((b) => b.startsWith('id: '))
    .slice(0, 4);
  const lastId = before.at(-1)!.split('\n')[0]!.slice(4);
  const textOf = (datas: string[]) =>
    datas.map((d) => (JSON.parse(d) as OpenAI.ChatCompletionChunk).choices[0]?.delta.content ?? '').join('');
  const seen = textOf(before.map((b) => b.split('\n')[1]!.slice(6)));

  // EventSource-style resume: GET with Last-Event-ID.
  const again = await fetch(`${stack.gateway.url}/v1/jobs/${lastId.split(':')[0]}/stream`, {
    headers: { 'last-event-id': lastId },
  });
  expect(again.status).toBe(200);
  const events = await sseEvents(again);
  expect(events.at(-1)?.data).toBe('[DONE]');
  const rest = textOf(events.slice(0, -1).map((e) => e.data));
  const whole = textOf(
    (await sseEvents(await fetch(`${stack.gateway.url}/v1/jobs/${lastId.split(':')[0]}/stream`)))
      .slice(0, -1)
      .map((e) => e.data),
  );
  expect(seen + rest).toBe(whole);
  expect(whole.startsWith('echo: hello there friend')).toBe(true);
  // The same resume on the original POST (what an SDK retrying with Last-Event-ID sends).
  const posted = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'last-event-id': lastId },
    body: JSON.stringify({ ...ask('gpt'), stream: true }),
  });
  expect(textOf((await sseEvents(posted)).slice(0, -1).map((e) => e.data))).toBe(rest);
  expect(stack.fake.requests.filter((r) => r.model === 'gpt-a')).toHaveLength(1);
});

it('with keys, only the stream owner (or the master key) may resume it', async () => {
  const keyed = await startGateway({
    port: 0,
    redisUrl: stack.redis.url,
    apiKeys: ['sk-team-a', 'sk-team-b'],
    masterKey: 'sk-master',
  });
  try {
    const post = (key: string, headers: Record<string, string> = {}) =>
      fetch(`${keyed.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
        body: JSON.stringify({ ...ask('gpt'), stream: true }),
      });
    const first = await post('sk-team-a');
    const events = await sseEvents(first);
    const lastId = events.at(-2)!.id!;
    const jobId = lastId.split(':')[0]!;
    const asB = await post('sk-team-b', { 'last-event-id': lastId });
    expect(asB.status).toBe(404);
    const getAsB = await fetch(`${keyed.url}/v1/jobs/${jobId}/stream`, {
      headers: { authorization: 'Bearer sk-team-b' },
    });
    expect(getAsB.status).toBe(404);
    const asA = await fetch(`${keyed.url}/v1/jobs/${jobId}/stream`, {
      headers: { authorization: 'Bearer sk-team-a' },
    });
    expect(asA.status).toBe(200);
    expect((await sseEvents(asA)).at(-1)?.data).toBe('[DONE]');
    const asMaster = await post('sk-master', { 'last-event-id': lastId });
    expect((await sseEvents(asMaster)).map((e) => e.data)).toEqual(['[DONE]']);
  } finally {
    await keyed.close();
  }
});

it('an open stream counts against maxWaiting and is ended at shutdown with where to resume', async () => {
  stack.fake.script([{ match: { model: 'gpt-a' }, stream: { gapMs: 50, chunks: 40 } }]);
  const leaving = await startGateway({ port: 0, redisUrl: stack.redis.url, drainMs: 100, maxWaiting: 1 });
  const post = () =>
    fetch(`${leaving.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask('gpt'), stream: true }),
    });
  const first = await post();
  const reader = first.body!.getReader();
  let buffered = '';
  while (!buffered.includes('\n\n')) buffered += new TextDecoder().decode((await reader.read()).value);
  // The one allowed waiter is this stream: another request is refused at once.
  const second = await post();
  expect(second.status).toBe(503);
  await second.body?.cancel();

  await leaving.close();
  for (let r = await reader.read(); !r.done; r = await reader.read())
    buffered += new TextDecoder().decode(r.value);
  const blocks = buffered.split('\n\n').filter((b) => b.trim() !== '');
  const last = JSON.parse(blocks.at(-1)!.replace(/^data: /, '')) as {
    error: { code: string; message: string };
  };
  expect(last.error.code).toBe('SY_ERR_GATEWAY_RELEASED');
  const lastId = blocks
    .filter((b) => b.startsWith('id: '))
    .at(-1)!
    .split('\n')[0]!
    .slice(4);
  expect(last.error.message).toContain(`Last-Event-ID: ${lastId}`);
  // The answer was not lost with the gateway: another one serves the rest, with no second provider call.
  const rest = await fetch(`${stack.gateway.url}/v1/jobs/${lastId.split(':')[0]}/stream`, {
    headers: { 'last-event-id': lastId },
  });
  expect((await sseEvents(rest)).at(-1)?.data).toBe('[DONE]');
  expect(stack.fake.requests.filter((r) => r.model === 'gpt-a')).toHaveLength(1);
});

it('GET /v1/jobs/<id>/stream of a finished text completion rebuilds text_completion chunks', async () => {
  // Answered without a stream: the reader rebuilds the chunks from the stored result.
  const jobId = randomUUID();
  await stack.client.textCompletion({ model: 'instruct', prompt: 'say it plainly' }, { jobId });
  const events = await sseEvents(await fetch(`${stack.gateway.url}/v1/jobs/${jobId}/stream`));
  expect(events.at(-1)?.data).toBe('[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as Record<string, any>);
  expect(new Set(chunks.map((c) => c.object))).toEqual(new Set(['text_completion']));
  expect(chunks.map((c) => c.choices[0]?.text ?? '').join('')).toBe('echo: say it plainly');
});
