import { describe, expect, it } from 'vitest';
import {
  bullmqPriority,
  cacheGroupOf,
  createRouteResolver,
  initialState,
  loadConfig,
  planNoCapacity,
  withoutPriority,
} from '../src/index.ts';

const config = loadConfig(
  {
    model_list: [
      { model_name: 'gpt-4', litellm_params: { model: 'azure/gpt-4', api_base: 'https://a.example' } },
      { model_name: 'gpt-4', litellm_params: { model: 'gpt-4' }, model_info: { id: 'oai' } },
      { model_name: 'openai/*', litellm_params: { model: 'openai/*' }, model_info: { id: 'any-openai' } },
      {
        model_name: 'anthropic/*',
        litellm_params: { model: 'anthropic/*' },
        model_info: { id: 'any-claude' },
      },
      {
        model_name: 'anthropic/claude-3*',
        litellm_params: { model: 'anthropic/claude-3*' },
        model_info: { id: 'c3' },
      },
    ],
    router_settings: { model_group_alias: { four: 'gpt-4' }, fallbacks: [{ 'gpt-4': ['openai/*'] }] },
  },
  { env: {} },
);
const resolve = createRouteResolver(config);
const ids = (name: string, specific = false) => resolve(name, specific)?.deployments.map((d) => d.id);

describe('route targets', () => {
  it('resolves aliases, groups and deployment ids as before', () => {
    expect(resolve('four')?.group).toBe('gpt-4');
    expect(ids('gpt-4')).toHaveLength(2);
    expect(resolve('oai')).toMatchObject({ group: 'gpt-4', deployments: [{ id: 'oai' }] });
    expect(resolve('mistral-large')).toBeUndefined();
  });

  it('routes any model of a provider through its wildcard group, with the requested model', () => {
    const target = resolve('openai/gpt-4o-mini');
    expect(target?.group).toBe('openai/*');
    expect(target?.deployments.map((d) => [d.id, d.provider, d.model, d.litellmModel])).toEqual([
      ['any-openai', 'openai', 'gpt-4o-mini', 'openai/gpt-4o-mini'],
    ]);
    expect(resolve('anthropic/claude-sonnet-4-5')?.deployments[0]).toMatchObject({
      id: 'any-claude',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
    });
    // The most specific pattern wins.
    expect(resolve('anthropic/claude-3-5-haiku')?.deployments[0]).toMatchObject({
      id: 'c3',
      model: 'claude-3-5-haiku',
    });
    expect(resolve('openai/gpt-4o-mini')).toBe(target);
  });

  it('pins a deployment by its litellm_params.model or id with specific_deployment', () => {
    expect(ids('azure/gpt-4', true)).toHaveLength(1);
    expect(resolve('azure/gpt-4', true)?.deployments[0]?.litellmModel).toBe('azure/gpt-4');
    expect(ids('gpt-4', true)).toEqual(['oai']);
    expect(ids('any-claude', true)).toEqual(['any-claude']);
    expect(resolve('gpt-5', true)).toBeUndefined();
  });

  it('names the group whose cached answers a group shares', () => {
    const groups = [
      ['gpt-4', 'gpt-4-backup'],
      ['a', 'b'],
    ];
    expect(cacheGroupOf(groups, 'gpt-4-backup')).toBe('gpt-4');
    expect(cacheGroupOf(groups, 'b')).toBe('a');
    expect(cacheGroupOf(groups, 'c')).toBe('c');
  });
});

describe('planNoCapacity', () => {
  const base = { settings: config.router, reason: 'cooldown', nowMs: 1000, wakeAtMs: 60_000 };

  it('sends a group whose every deployment cools down to its fallbacks at once', () => {
    const decision = planNoCapacity({ ...base, state: initialState('gpt-4'), allCooling: true });
    expect(decision).toMatchObject({ action: 'fallback', group: 'openai/*' });
    expect(decision.state.firstError).toMatchObject({ type: 'RateLimitError' });
  });

  it('waits when the group is only at its limits, or has no fallback left', () => {
    expect(
      planNoCapacity({ ...base, reason: 'rpm', state: initialState('gpt-4'), allCooling: false }),
    ).toMatchObject({
      action: 'wait',
      untilMs: 60_000,
    });
    expect(planNoCapacity({ ...base, state: initialState('openai/*'), allCooling: true })).toMatchObject({
      action: 'wait',
    });
  });

  it('fails when capacity returns only after the job deadline', () => {
    const state = initialState('openai/*', { deadlineMs: 30_000 });
    expect(planNoCapacity({ ...base, reason: 'rpm', state, allCooling: false })).toEqual({
      action: 'fail',
      reason: 'RateLimitError: no capacity in model group "openai/*" (rpm) before the job deadline',
      state,
    });
  });
});

describe('priority', () => {
  it('maps LiteLLM priority (0 first) to BullMQ priority (1 first) and keeps it out of job data', () => {
    expect(bullmqPriority({ priority: 0 })).toBe(1);
    expect(bullmqPriority({ priority: 9 })).toBe(10);
    expect(bullmqPriority({})).toBeUndefined();
    expect(() => bullmqPriority({ priority: -1 })).toThrow('priority must be an integer from 0');
    expect(() => bullmqPriority({ priority: 'high' })).toThrow('got "high"');
    expect(withoutPriority({ model: 'm', priority: 3 })).toEqual({ model: 'm' });
  });
});

describe('a bare "*" deployment (LiteLLM\'s "all models")', () => {
  const all = createRouteResolver(
    loadConfig(
      { model_list: [{ model_name: '*', litellm_params: { model: '*' }, model_info: { id: 'everything' } }] },
      { env: { OPENAI_API_KEY: 'sk-o', ANTHROPIC_API_KEY: 'sk-a', GROQ_API_KEY: 'gsk' } },
    ),
  );
  const served = (name: string) => {
    const d = all(name)?.deployments[0];
    return d && { provider: d.provider, model: d.model, apiBase: d.apiBase, apiKey: d.apiKey };
  };

  it("infers the provider from the requested name, with that provider's base and key, as LiteLLM does", () => {
    expect(served('gpt-4o')).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      apiBase: 'https://api.openai.com/v1',
      apiKey: 'sk-o',
    });
    expect(served('claude-3-5-haiku')).toEqual({
      provider: 'anthropic',
      model: 'claude-3-5-haiku',
      apiBase: 'https://api.anthropic.com',
      apiKey: 'sk-a',
    });
    expect(served('anthropic/claude-sonnet-4')).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-4',
    });
    expect(served('groq/llama-3.1-8b')).toEqual({
      provider: 'openai',
      model: 'llama-3.1-8b',
      apiBase: 'https://api.groq.com/openai/v1',
      apiKey: 'gsk',
    });
  });

  it('keeps an unknown prefix whole for the OpenAI-compatible default (vLLM-style names)', () => {
    expect(served('meta-llama/Llama-3-8B')).toMatchObject({
      provider: 'openai',
      model: 'meta-llama/Llama-3-8B',
    });
  });
});
