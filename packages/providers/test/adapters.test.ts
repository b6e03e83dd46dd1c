import { describe, expect, it } from 'vitest';
import { deployment, request } from './deployment.ts';
import { useFakeProvider } from './fixture.ts';

const f = useFakeProvider({ providers: { defaultTimeoutMs: 5_000 } });

describe('openai adapter', () => {
  it('chat completion: deployment model replaces the group, extra params merge under the request, metadata stays home', async () => {
    const dep = deployment('openai', `${f.fake.url}/v1`, { extraParams: { temperature: 0.1, top_p: 0.5 } });
    const res = await f.providers.call(
      request(dep, 'chat.completions', {
        model: 'group',
        messages: [{ role: 'user', content: 'route me' }],
        temperature: 0.9,
        metadata: { tenant: 't1' },
      }),
    );
    const choice = (res.body.choices as { message: { content: string } }[])[0];
    expect(choice?.message.content).toBe('echo: route me');
    expect(res.usage.totalTokens).toBe(res.usage.promptTokens + res.usage.completionTokens);
    expect(res.usage.completionTokens).toBeGreaterThan(0);
    expect(res.headers['x-fake-provider']).toBe(f.fake.name);

    const sent = f.fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.9, top_p: 0.5 });
    expect(sent.body).not.toHaveProperty('metadata');
    expect(sent.headers.authorization).toBe('***cdef');
  });

  it('text completion and embeddings', async () => {
    const dep = deployment('openai', `${f.fake.url}/v1`, { model: 'text-embedding-3-small' });
    const comp = await f.providers.call(request(dep, 'completions', { model: 'g', prompt: 'abc' }));
    expect((comp.body.choices as { text: string }[])[0]?.text).toBe('echo: abc');
    const emb = await f.providers.call(request(dep, 'embeddings', { model: 'g', input: ['x', 'y'] }));
    expect(emb.body.data).toHaveLength(2);
    expect(emb.usage.promptTokens).toBeGreaterThan(0);
    expect(f.fake.requests.map((r) => r.path)).toEqual(['/v1/completions', '/v1/embeddings']);
  });

  it('sends no Authorization header when the deployment has no key (local OpenAI-compatible servers)', async () => {
    const dep = deployment('openai', f.fake.url, { apiKey: undefined });
    await f.providers.call(request(dep));
    expect(f.fake.requests.at(-1)?.path).toBe('/chat/completions');
    expect(f.fake.requests.at(-1)?.headers).not.toHaveProperty('authorization');
  });
});

describe('azure adapter', () => {
  it('puts the deployment in the path, the version in the query and the key in api-key', async () => {
    const dep = deployment('azure', f.fake.url, { model: 'gpt4o-eu', apiVersion: '2024-08-01-preview' });
    for (const endpoint of ['chat.completions', 'completions', 'embeddings'] as const) {
      const body =
        endpoint === 'embeddings'
          ? { model: 'g', input: 'x' }
          : endpoint === 'completions'
            ? { model: 'g', prompt: 'p' }
            : { model: 'g', messages: [{ role: 'user', content: 'hi' }] };
      const res = await f.providers.call(request(dep, endpoint, body));
      expect(res.body).toHaveProperty(endpoint === 'embeddings' ? 'data' : 'choices');
    }
    expect(f.fake.requests.map((r) => r.path)).toEqual([
      '/openai/deployments/gpt4o-eu/chat/completions?api-version=2024-08-01-preview',
      '/openai/deployments/gpt4o-eu/completions?api-version=2024-08-01-preview',
      '/openai/deployments/gpt4o-eu/embeddings?api-version=2024-08-01-preview',
    ]);
    const headers = f.fake.requests[0]!.headers;
    expect(headers['api-key']).toBe('***cdef');
    expect(headers).not.toHaveProperty('authorization');
    expect(f.fake.stats().models['gpt4o-eu']?.ok).toBe(3);
  });

  it('accepts an api base that already ends in /openai', async () => {
    const dep = deployment('azure', `${f.fake.url}/openai/`, { model: 'd1' });
    await f.providers.call(request(dep));
    expect(f.fake.requests.at(-1)?.path).toMatch(
      /^\/openai\/deployments\/d1\/chat\/completions\?api-version=/,
    );
  });
});

describe('anthropic adapter', () => {
  /** Anthropic takes text parts as they are. */
  const userParts = {
    role: 'user',
    content: [
      { type: 'text', text: 'part ' },
      { type: 'text', text: 'two' },
    ],
  };

  it('maps the request to the Messages API and the answer back to chat.completion', async () => {
    const dep = deployment('anthropic', f.fake.url, { extraParams: { top_k: 5 }, dropParams: true });
    const res = await f.providers.call(
      request(dep, 'chat.completions', {
        model: 'group',
        messages: [
          { role: 'system', content: 'rule one' },
          { role: 'system', content: [{ type: 'text', text: 'rule two' }] },
          userParts,
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: 'last one' },
        ],
        stop: 'END',
        temperature: 0.2,
        top_p: 0.9,
        presence_penalty: 1,
        metadata: { mine: true },
      }),
    );
    const sent = f.fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('***cdef');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'rule one\n\nrule two',
      messages: [userParts, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'last one' }],
      max_tokens: 4096,
      stop_sequences: ['END'],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 5,
    });

    expect(res.body).toMatchObject({
      object: 'chat.completion',
      model: 'claude-sonnet-4-5',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'echo: last one' }, finish_reason: 'stop' },
      ],
    });
    expect(res.body.id).toMatch(/^msg_/);
    expect(typeof res.body.created).toBe('number');
    const usage = res.body.usage as Record<string, number>;
    expect(usage.total_tokens).toBe((usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0));
    expect(res.usage.promptTokens).toBe(usage.prompt_tokens);
  });

  it('max_completion_tokens (or max_tokens) overrides the 4096 default', async () => {
    const dep = deployment('anthropic', f.fake.url);
    await f.providers.call(
      request(dep, 'chat.completions', {
        model: 'g',
        messages: [{ role: 'user', content: 'x' }],
        max_completion_tokens: 77,
      }),
    );
    expect(f.fake.requests.at(-1)?.body).toMatchObject({ max_tokens: 77 });
  });

  it('refuses embeddings and text completions with a clear BadRequestError, without calling out', async () => {
    const dep = deployment('anthropic', f.fake.url);
    for (const endpoint of ['embeddings', 'completions'] as const) {
      const err = await f.providers
        .call(request(dep, endpoint, { model: 'g', input: 'x' }))
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ type: 'BadRequestError' });
      expect((err as Error).message).toContain(`${endpoint} is not supported by anthropic`);
    }
    expect(f.fake.requests).toHaveLength(0);
  });
});
