import { describe, expect, it } from 'vitest';
import { budgetExceededMessage, budgetsOf, ConfigError, loadConfig } from '../src/index.ts';

const entry = (model: string, extra: object = {}) => ({
  model_name: 'g',
  litellm_params: { model, api_key: 'k', api_base: 'https://x.example', ...extra },
});

describe('budgets from the config', () => {
  it('reads provider_budget_config and max_budget / budget_duration, by LiteLLM provider name', () => {
    const config = loadConfig({
      model_list: [entry('groq/llama', { max_budget: 2, budget_duration: '1mo' }), entry('openai/gpt-4o')],
      router_settings: { provider_budget_config: { groq: { budget_limit: 10, time_period: '1d' } } },
    });
    expect(config.warnings).toEqual([]);
    const [groq, openai] = config.deployments;
    expect(budgetsOf(groq!, config.router)).toEqual([
      {
        name: 'provider:groq',
        limit: 10,
        periodMs: 86_400_000,
        label: 'provider budget "groq" ($10 per 1d)',
      },
      {
        name: `deployment:${groq!.id}`,
        limit: 2,
        periodMs: 30 * 86_400_000,
        label: `deployment budget "${groq!.id}" ($2 per 1mo)`,
      },
    ]);
    expect(budgetsOf(openai!, config.router)).toEqual([]);
  });

  it('refuses a period that is not a duration, naming the path', () => {
    expect(() =>
      loadConfig({
        model_list: [entry('openai/x')],
        router_settings: { provider_budget_config: { openai: { budget_limit: 1, time_period: 'daily' } } },
      }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig({ model_list: [entry('openai/x', { max_budget: 1, budget_duration: '3 days' })] }),
    ).toThrow(/model_list\[0\]\.litellm_params\.budget_duration: expected a duration/);
  });

  it('says when an exhausted budget resets, or that it does not', () => {
    const at = Date.UTC(2026, 0, 2);
    expect(budgetExceededMessage({ name: 'p', limit: 1, periodMs: 1, label: 'B' }, at)).toBe(
      'B is exhausted; it resets at 2026-01-02T00:00:00.000Z',
    );
    expect(budgetExceededMessage({ name: 'p', limit: 1, label: 'B' }, at)).toBe(
      'B is exhausted; it does not reset',
    );
  });
});
