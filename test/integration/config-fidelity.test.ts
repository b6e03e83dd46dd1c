// LiteLLM config keys that used to be ignored, seen through real worker processes: environment_variables,
// credential_list + litellm_credential_name, a deployment's own mock_response, and mock answers in each
// endpoint's own shape.
import { stateNamespace } from '@switchyard/core';
import { RoutingState } from '@switchyard/redis-state';
import { describe, expect, it } from 'vitest';
import { failureOf, requestsTo, useStack } from '../resilience/support.ts';
import { chat, openaiDeployment } from './harness.ts';

const ENV_KEY = 'sk-from-environment-variables-0001';
const CRED_KEY = 'sk-from-credential-list-0002';

const stack = useStack({
  config: (fake) => ({
    environment_variables: { FIDELITY_KEY: ENV_KEY, FAKE_BASE: `${fake.url}/v1` },
    credential_list: [
      {
        credential_name: 'fake-cred',
        credential_values: { api_key: CRED_KEY, api_base: 'os.environ/FAKE_BASE' },
        credential_info: { description: 'the fake provider' },
      },
    ],
    model_list: [
      openaiDeployment(fake, 'env-group', 'env-model', { api_key: 'os.environ/FIDELITY_KEY' }),
      {
        model_name: 'cred-group',
        litellm_params: { model: 'openai/cred-model', litellm_credential_name: 'fake-cred' },
        model_info: { id: 'cred-model' },
      },
      openaiDeployment(fake, 'mocked', 'mocked-model', { mock_response: 'from the deployment', rpm: 1000 }),
      openaiDeployment(fake, 'mocked-429', 'mocked-429-model', { mock_response: 'litellm.RateLimitError' }),
      openaiDeployment(fake, 'any', 'any-model'),
      withInfo(openaiDeployment(fake, 'own-rule', 'strict-model'), {
        allowed_fails_policy: { BadRequestErrorAllowedFails: 0 },
        cooldown_time: 40,
      }),
      withInfo(openaiDeployment(fake, 'own-rule', 'lenient-model'), { allowed_fails: 5 }),
    ],
    router_settings: { num_retries: 0, allowed_fails: 0, cooldown_time: 30 },
    switchyard_settings: { allow_mock_params: true },
  }),
  fake: { latencyMs: 1 },
});

describe('environment_variables and credential_list', () => {
  it('a deployment calls with the key environment_variables set, and with the named credential’s key and base', async () => {
    const { fake, client } = stack();
    await client.completion(chat('env-group'));
    await client.completion(chat('cred-group'));
    expect(requestsTo(fake, 'env-model')[0]?.headers.authorization).toBe(`***${ENV_KEY.slice(-4)}`);
    expect(requestsTo(fake, 'cred-model')[0]?.headers.authorization).toBe(`***${CRED_KEY.slice(-4)}`);
  });

  it('neither secret is in Redis: the stored model list names the credential only', async () => {
    const { redis } = stack();
    const conn = redis.client();
    try {
      const everything = (await Promise.all((await conn.keys('*')).map((key) => readKey(conn, key)))).join(
        '\n',
      );
      expect(everything).toContain('fake-cred');
      expect(everything).not.toContain(ENV_KEY);
      expect(everything).not.toContain(CRED_KEY);
    } finally {
      conn.disconnect();
    }
  });
});

describe('litellm_params.mock_response', () => {
  it('every call answers the content with no provider call, and is routed and counted like any call', async () => {
    const { fake, client, redis } = stack();
    const conn = redis.client();
    const state = new RoutingState(conn, { prefix: stateNamespace({}) });
    try {
      const before = (await state.snapshot('mocked', ['mocked-model']))[0]!;
      const res = await client.completion(chat('mocked'));
      expect((res.choices as { message: { content: string } }[])[0]?.message.content).toBe(
        'from the deployment',
      );
      expect(res.routing.deploymentId).toBe('mocked-model');
      const embedded = await client.embedding({ model: 'mocked', input: ['a', 'b'] });
      expect((embedded.data as unknown[]).length).toBe(2);
      expect(fake.requests).toHaveLength(0);
      const after = (await state.snapshot('mocked', ['mocked-model']))[0]!;
      expect(after.rpmUsed).toBeGreaterThan(before.rpmUsed);
    } finally {
      conn.disconnect();
    }
  });

  it('a streamed call gets the content as chunks', async () => {
    const { fake, client } = stack();
    let text = '';
    for await (const chunk of client.stream({ ...chat('mocked'), stream: true })) {
      const delta = (chunk as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta;
      text += delta?.content ?? '';
    }
    expect(text).toBe('from the deployment');
    expect(fake.requests).toHaveLength(0);
  });

  it('an error name raises that error, and the deployment cools down as after a real one', async () => {
    const { fake, client, redis } = stack();
    const err = await failureOf(client.completion(chat('mocked-429')));
    expect(err.type).toBe('RateLimitError');
    expect(fake.requests).toHaveLength(0);
    const conn = redis.client();
    try {
      const state = new RoutingState(conn, { prefix: stateNamespace({}) });
      const [snap] = await state.snapshot('mocked-429', ['mocked-429-model']);
      expect(snap!.cooldownUntilMs).toBeGreaterThan(Date.now());
    } finally {
      conn.disconnect();
    }
  });
});

describe("model_info's allowed_fails, allowed_fails_policy and cooldown_time", () => {
  it("replace the router's rule for that deployment, both ways", async () => {
    const { fake, client, redis } = stack();
    fake.script([
      { match: { model: 'strict-model' }, fault: { kind: 'error', status: 400 } },
      { match: { model: 'lenient-model' }, fault: { kind: 'error', status: 500 } },
    ]);
    // A 400 never cools a deployment, unless its own policy names BadRequestError.
    expect((await failureOf(client.completion(chat('strict-model')))).type).toBe('BadRequestError');
    // The router's allowed_fails 0 would cool after one 500; this deployment allows 5.
    expect((await failureOf(client.completion(chat('lenient-model')))).type).toBe('InternalServerError');
    const conn = redis.client();
    try {
      const state = new RoutingState(conn, { prefix: stateNamespace({}) });
      const [strict, lenient] = await state.snapshot('own-rule', ['strict-model', 'lenient-model']);
      expect(strict!.cooldownUntilMs).toBeGreaterThan(Date.now() + 30_000);
      expect(lenient!.cooldownUntilMs).toBeLessThan(Date.now());
    } finally {
      conn.disconnect();
    }
  });
});

describe('mock_response in each endpoint’s own shape', () => {
  const mock = { mock_response: 'canned' };

  it('embeddings, images, moderations, rerank', async () => {
    const { fake, client } = stack();
    const embedded = await client.embedding({ model: 'any', input: 'x', dimensions: 8, ...mock });
    expect(embedded).toMatchObject({ object: 'list', data: [{ object: 'embedding', index: 0 }] });
    expect((embedded.data as { embedding: number[] }[])[0]!.embedding).toEqual(new Array(8).fill(0));

    const image = await client.imageGeneration({ model: 'any', prompt: 'p', n: 2, ...mock });
    expect(image.data).toEqual([{ url: 'canned' }, { url: 'canned' }]);
    expect(image).not.toHaveProperty('choices');

    const moderated = await client.moderation({ model: 'any', input: ['a', 'b'], ...mock });
    expect(moderated.results).toEqual([
      { flagged: false, categories: {}, category_scores: {} },
      { flagged: false, categories: {}, category_scores: {} },
    ]);

    const ranked = await client.rerank({
      model: 'any',
      query: 'q',
      documents: ['a', 'b', 'c'],
      top_n: 2,
      ...mock,
    });
    expect(ranked.results).toEqual([
      { index: 0, relevance_score: 1 },
      { index: 1, relevance_score: 1 },
    ]);
    expect(fake.requests).toHaveLength(0);
  });

  it('transcriptions (json and text formats) and speech', async () => {
    const { fake, client } = stack();
    const file = { filename: 'a.mp3', data: Buffer.alloc(1000, 1) };
    const json = await client.transcription({ model: 'any', file, ...mock });
    expect(json.text).toBe('canned');
    expect(json).not.toHaveProperty('choices');
    const srt = await client.translation({ model: 'any', file, response_format: 'srt', ...mock });
    expect(srt).toMatchObject({ object: 'audio.transcription.text', response_format: 'srt', text: 'canned' });
    const audio = await client.speech({ model: 'any', voice: 'nova', input: 'hi', ...mock });
    expect(audio.toString('utf8')).toBe('canned');
    expect(fake.requests).toHaveLength(0);
  });
});

function withInfo<T extends { model_info: object }>(entry: T, info: object): T {
  return { ...entry, model_info: { ...entry.model_info, ...info } };
}

type Conn = ReturnType<ReturnType<typeof stack>['redis']['client']>;

/** Every value of a key as text, whatever its type (DUMP would compress long strings and hide them). */
async function readKey(conn: Conn, key: string): Promise<string> {
  const type = await conn.type(key);
  const values =
    type === 'string'
      ? [await conn.get(key)]
      : type === 'hash'
        ? Object.entries(await conn.hgetall(key)).flat()
        : type === 'list'
          ? await conn.lrange(key, 0, -1)
          : type === 'set'
            ? await conn.smembers(key)
            : type === 'zset'
              ? await conn.zrange(key, '0', '-1')
              : type === 'stream'
                ? (await conn.xrange(key, '-', '+')).flatMap(([, fields]) => fields)
                : [];
  return `${key} ${values.join(' ')}`;
}
