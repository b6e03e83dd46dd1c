// LiteLLM's `mock_response` and `mock_testing_*` request parameters, so a LiteLLM user's tests keep working:
// the job is routed as usual, the provider call is replaced by the canned answer or error, and nothing of it
// reaches routing state or the cache (a mock says nothing about a deployment).
import { type Endpoint, type ErrorType, isErrorType, SwitchyardError } from '@switchyard/core';
import type { ProviderResponse } from '@switchyard/providers';
import type { Invoke } from './job/context.ts';
import type { RequestRouterParams } from './request-params.ts';

/** `mock_testing_*` flags raise only in the group the job asked for, so its fallbacks can be seen serving. */
const TESTING_FLAGS: readonly [keyof RequestRouterParams, ErrorType][] = [
  ['mock_testing_fallbacks', 'InternalServerError'],
  ['mock_testing_context_fallbacks', 'ContextWindowExceededError'],
  ['mock_testing_content_policy_fallbacks', 'ContentPolicyViolationError'],
  ['mock_testing_rate_limit_error', 'RateLimitError'],
];

/** The request's mock parameters that are present (each needs `allow_mock_params`). */
export function mockParamsIn(params: RequestRouterParams): string[] {
  const names = [...TESTING_FLAGS.map(([flag]) => flag), 'mock_response' as const];
  return names.filter((name) => params[name] !== undefined);
}

/** Mocks per group: the provider call a group's attempts make instead of the real one, if any. */
export type MockPlan = (group: string) => Invoke | undefined;

/**
 * The request's mocks, or undefined when nothing is mocked. `mock_testing_*` flags fail only the
 * requested group; `mock_response` answers in every group ("litellm.RateLimitError" or the bare name
 * raises that error, as in LiteLLM).
 */
export function mockPlan(params: RequestRouterParams, requestedGroup: string): MockPlan | undefined {
  if (mockParamsIn(params).length === 0) return undefined;
  const flag = TESTING_FLAGS.find(([name]) => params[name] === true);
  const mock = params.mock_response;
  return (group) => {
    if (flag && group === requestedGroup) {
      return async () => {
        throw new SwitchyardError(flag[1], `mock: ${flag[0]}`);
      };
    }
    if (mock === undefined) return undefined;
    const name = mock.startsWith('litellm.') ? mock.slice('litellm.'.length) : mock;
    return async ({ endpoint, deployment }) => {
      if (isErrorType(name)) throw new SwitchyardError(name, `mock_response: ${name}`);
      return mockResponse(endpoint, deployment.model, mock);
    };
  };
}

function mockResponse(endpoint: Endpoint, model: string, content: string): ProviderResponse {
  const completionTokens = Math.max(1, Math.ceil(content.length / 4));
  const usage = { promptTokens: 0, completionTokens, totalTokens: completionTokens };
  const created = Math.floor(Date.now() / 1000);
  const id = `mock-${created}-${Math.random().toString(36).slice(2, 10)}`;
  const openaiUsage = {
    prompt_tokens: 0,
    completion_tokens: completionTokens,
    total_tokens: completionTokens,
  };
  const body: Record<string, unknown> =
    endpoint === 'chat.completions'
      ? {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: openaiUsage,
        }
      : endpoint === 'completions'
        ? {
            id,
            object: 'text_completion',
            created,
            model,
            choices: [{ index: 0, text: content, finish_reason: 'stop', logprobs: null }],
            usage: openaiUsage,
          }
        : {
            object: 'list',
            model,
            data: [{ object: 'embedding', index: 0, embedding: [0, 0, 0, 0] }],
            usage: { prompt_tokens: 0, total_tokens: 0 },
          };
  return { body, usage, headers: {} };
}
