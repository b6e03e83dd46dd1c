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
