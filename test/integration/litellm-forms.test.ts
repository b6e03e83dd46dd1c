// LiteLLM config and request forms (issue 10) through real worker processes: pre-call capability checks,
// content-filtered answers, default_litellm_params, routing_strategy custom.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestsTo, useStack } from '../resilience/support.ts';
import { chat, openaiDeployment } from './harness.ts';

const strategyDir = mkdtempSync(join(tmpdir(), 'switchyard-custom-strategy-'));
const strategyPath = join(strategyDir, 'prefer-b.mjs');
// Always the deployment whose id ends in "-b" first: a choice no built-in strategy would make every time.
writeFileSync(
  strategyPath,
  'export function choose(candidates) { return candidates.find((c) => c.deployment.id.endsWith("-b")); }\n',
);

const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } };
const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];

describe('LiteLLM forms through the worker', () => {
  const stack = useStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'mixed', 'text-only', {}),
        openaiDeployment(fake, 'mixed', 'multimodal', {}),
        openaiDeployment(fake, 'filtered', 'filtered-1'),
        openaiDeployment(fake, 'safe', 'safe-1'),
        openaiDeployment(fake, 'custom', 'custom-a'),
        openaiDeployment(fake, 'custom', 'custom-b'),
        openaiDeployment(fake, 'custom', 'custom-c'),
      ].map((entry) =>
        entry.model_info.id === 'text-only'
          ? {
              ...entry,
              model_info: { ...entry.model_info, supports_vision: false, supports_function_calling: false },
            }
          : entry.model_info.id === 'multimodal'
            ? { ...entry, model_info: { ...entry.model_info, supports_vision: true } }
            : entry,
      ),
      router_settings: {
        enable_pre_call_checks: true,
        content_policy_fallbacks: [{ filtered: ['safe'] }],
        default_litellm_params: { temperature: 0.3, seed: 42 },
        routing_strategy: 'custom',
        custom_routing_strategy: strategyPath,
        model_group_routing_strategy: {
          mixed: 'simple-shuffle',
          filtered: 'simple-shuffle',
          safe: 'simple-shuffle',
        },
      },
    }),
    fake: {
      rules: [
        {
          match: { model: 'filtered-1' },
          fault: {
            kind: 'raw',
            status: 200,
            body: {
              id: 'x',
              object: 'chat.completion',
              created: 1,
              model: 'filtered-1',
              choices: [
                { index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter' },
              ],
              usage: { prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 },
            },
          },
        },
      ],
    },
    workers: 1,
  });

  it('sends requests with images or tools only to deployments that support them', async () => {
    const { client } = stack();
    const withImage = {
      model: 'mixed',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, image] }],
    };
    const results = await Promise.all([
      ...Array.from({ length: 8 }, () => client.completion(withImage)),
      ...Array.from({ length: 8 }, (_, i) => client.completion({ ...chat('mixed', `tool ${i}`), tools })),
    ]);
    expect(new Set(results.map((r) => r.routing.deploymentId))).toEqual(new Set(['multimodal']));
    const plain = await Promise.all(
      Array.from({ length: 30 }, (_, i) => client.completion(chat('mixed', `t${i}`))),
    );
    expect(new Set(plain.map((r) => r.routing.deploymentId))).toEqual(new Set(['text-only', 'multimodal']));
  });

  it('answers a content-filtered empty response from content_policy_fallbacks', async () => {
    const { client } = stack();
    const res = await client.completion(chat('filtered', 'something the filter blocks'));
    expect(res.routing.modelGroup).toBe('safe');
    expect(res.routing.attempts[0]?.error?.type).toBe('ContentPolicyViolationError');
  });

  it('puts default_litellm_params in every provider request, the request’s own values winning', async () => {
    const { client, fake } = stack();
    await client.completion({ ...chat('safe', 'defaults'), temperature: 1 });
    expect(requestsTo(fake, 'safe-1').at(-1)?.body).toMatchObject({ temperature: 1, seed: 42 });
  });

  it('routes by the module of routing_strategy custom, other groups by their own strategy', async () => {
    const { client } = stack();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.completion(chat('custom', `c${i}`))),
    );
    expect(new Set(results.map((r) => r.routing.deploymentId))).toEqual(new Set(['custom-b']));
  });
});

describe('LiteLLM model names, request forms and no-capacity rules through the worker', () => {
  const stack = useStack({
    config: (fake) => ({
      model_list: [
        {
          model_name: 'openai/*',
          litellm_params: { model: 'openai/*', api_base: `${fake.url}/v1`, api_key: 'sk-t' },
        },
        {
          model_name: 'anthropic/*',
          litellm_params: { model: 'anthropic/*', api_base: fake.url, api_key: 'sk-t' },
        },
        openaiDeployment(fake, 'pool', 'pool-a'),
        openaiDeployment(fake, 'pool', 'pool-b'),
        openaiDeployment(fake, 'primary', 'primary-1'),
        openaiDeployment(fake, 'backup', 'backup-1'),
        openaiDeployment(fake, 'gpt-main', 'main-1'),
        openaiDeployment(fake, 'gpt-twin', 'twin-1'),
        openaiDeployment(fake, 'hot', 'hot-1'),
        openaiDeployment(fake, 'hot', 'hot-2'),
        openaiDeployment(fake, 'paced', 'paced-1', { rpm: 1 }),
      ],
      router_settings: {
        fallbacks: [{ hot: ['backup'] }, { paced: ['backup'] }],
        cache_responses: true,
        caching_groups: [['gpt-main', 'gpt-twin']],
      },
    }),
    fake: {
      rules: [
        { match: { model: 'primary-1' }, fault: { kind: 'error', status: 500 } },
        { match: { model: 'hot-1' }, fault: { kind: 'rate-limit', retryAfterSec: 60 } },
        { match: { model: 'hot-2' }, fault: { kind: 'rate-limit', retryAfterSec: 60 } },
      ],
    },
    workers: 1,
    // A 2 s rpm window, so a job waiting for paced-1's next slot waits seconds, not a minute.
    env: { SWITCHYARD_WINDOW_MS: '2000' },
  });

  it('routes any OpenAI or Anthropic model through openai/* and anthropic/*', async () => {
    const { client, fake } = stack();
    const gpt = await client.completion(chat('openai/gpt-4.1-nano', 'wild'));
    const claude = await client.completion(chat('anthropic/claude-haiku-4-5', 'wild'));
    expect(gpt.routing).toMatchObject({ modelGroup: 'openai/*', provider: 'openai' });
    expect(claude.routing).toMatchObject({ modelGroup: 'anthropic/*', provider: 'anthropic' });
    expect(requestsTo(fake, 'gpt-4.1-nano')).toHaveLength(1);
    expect(requestsTo(fake, 'claude-haiku-4-5')[0]?.path).toBe('/v1/messages');
    const err = await client
      .completion(chat('mistral/large', 'no such provider group'))
      .catch((e: Error) => e);
    expect(err).toMatchObject({ type: 'BadRequestError' });
  });

  it('pins one deployment with specific_deployment and never forwards the flag', async () => {
    const { client, fake } = stack();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        client.completion({ ...chat('openai/pool-b', `pin ${i}`), specific_deployment: true }),
      ),
    );
    expect(new Set(results.map((r) => r.routing.deploymentId))).toEqual(new Set(['pool-b']));
    expect(requestsTo(fake, 'pool-a')).toHaveLength(0);
    expect(
      requestsTo(fake, 'pool-b').every((r) => !Object.hasOwn(r.body as object, 'specific_deployment')),
    ).toBe(true);
  });

  it('sends a {model, messages} fallback its own messages', async () => {
    const { client, fake } = stack();
    const res = await client.completion({
      ...chat('primary', 'a long original prompt'),
      num_retries: 0,
      fallbacks: [{ model: 'backup', messages: [{ role: 'user', content: 'the short version' }] }],
    });
    expect(res.routing.modelGroup).toBe('backup');
    expect(requestsTo(fake, 'primary-1').at(-1)?.body).toMatchObject({
      messages: [{ role: 'user', content: 'a long original prompt' }],
    });
    expect(requestsTo(fake, 'backup-1').at(-1)?.body).toMatchObject({
      messages: [{ role: 'user', content: 'the short version' }],
    });
  });

  it('shares cached answers between the groups of a caching group', async () => {
    const { client, fake } = stack();
    const first = await client.completion(chat('gpt-main', 'shared question'));
    const twin = await client.completion(chat('gpt-twin', 'shared question'));
    expect(first.routing.cacheHit).toBe(false);
    expect(twin.routing.cacheHit).toBe(true);
    expect(requestsTo(fake, 'twin-1')).toHaveLength(0);
  });

  it('sends a job for a group whose every deployment is cooling straight to its fallbacks', async () => {
    const { client, fake } = stack();
    // The first job cools both hot deployments (429, retry-after 60 s) and falls back.
    const first = await client.completion(chat('hot', 'cool them'));
    expect(first.routing.modelGroup).toBe('backup');
    const hotCalls = requestsTo(fake, 'hot-1').length + requestsTo(fake, 'hot-2').length;
    // The next one does not wait a minute for the cooldown, and calls neither hot deployment.
    const second = await client.completion(chat('hot', 'after the cooldown started'));
    expect(second.routing.modelGroup).toBe('backup');
    expect(second.routing.attempts.map((a) => a.modelGroup)).toEqual(['backup']);
    expect(requestsTo(fake, 'hot-1').length + requestsTo(fake, 'hot-2').length).toBe(hotCalls);
  });

  it('makes a job for a group that is only at its rpm limit wait for it, not fall back', async () => {
    const { client } = stack();
    const results = await Promise.all([
      client.completion(chat('paced', 'first slot')),
      client.completion(chat('paced', 'next slot')),
    ]);
    expect(results.map((r) => r.routing.modelGroup)).toEqual(['paced', 'paced']);
  });
});
