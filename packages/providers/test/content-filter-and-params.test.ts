import { describe, expect, it } from 'vitest';
import { toAnthropicRequest } from '../src/index.ts';
import { deployment, request } from './deployment.ts';
import { useFakeProvider } from './fixture.ts';

const f = useFakeProvider();

const filtered = (message: object) => ({
  id: 'x',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'content_filter' }],
  usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 },
});

describe('finish_reason content_filter', () => {
  it('with no content is a ContentPolicyViolationError (Azure answers this way)', async () => {
    f.fake.script([{ fault: { kind: 'raw', status: 200, body: filtered({ content: null }) } }]);
    const dep = deployment('azure', f.fake.url, { model: 'my-gpt', apiVersion: '2024-10-21' });
    await expect(f.providers.call(request(dep))).rejects.toMatchObject({
      type: 'ContentPolicyViolationError',
      message: expect.stringContaining('blocked by the content filter'),
    });
  });

  it('with some content is still an answer', async () => {
    f.fake.script([{ fault: { kind: 'raw', status: 200, body: filtered({ content: 'partial answer' }) } }]);
    const res = await f.providers.call(request(deployment('openai', `${f.fake.url}/v1`)));
    expect(res.body.choices).toMatchObject([{ finish_reason: 'content_filter' }]);
  });
});

describe('drop_params for anthropic', () => {
  const body = {
    messages: [{ role: 'user', content: 'hi' }],
    seed: 1,
    presence_penalty: 0.5,
    n: 1,
    temperature: 0,
  };

  it('refuses parameters Anthropic lacks unless drop_params is on, as LiteLLM does', () => {
    expect(toAnthropicRequest(body, 'claude')).toEqual({
      ok: false,
      error:
        'anthropic does not support parameters: seed, presence_penalty; set drop_params: true to drop them',
    });
    const dropped = toAnthropicRequest(body, 'claude', { dropParams: true });
    expect(dropped.ok && dropped.value).toEqual({
      model: 'claude',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 4096,
      temperature: 0,
    });
  });

  it('fails the attempt with BadRequestError without calling the provider', async () => {
    const dep = deployment('anthropic', f.fake.url);
    await expect(
      f.providers.call(request(dep, 'chat.completions', { model: 'g', ...body })),
    ).rejects.toMatchObject({
      type: 'BadRequestError',
    });
    expect(f.fake.requests).toHaveLength(0);
  });
});
