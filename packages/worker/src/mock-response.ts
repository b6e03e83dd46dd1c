// LiteLLM's `mock_response`: as a request parameter (with `mock_testing_*`, so a LiteLLM user's tests keep
// working: the job is routed as usual, the provider call is replaced by the canned answer or error, and nothing
// of it reaches routing state or the cache), and as a deployment's `litellm_params.mock_response` (that
// deployment never calls a provider: it is routed, counted and cooled like any other). One answer builder.
import {
  type Deployment,
  type Endpoint,
  type ErrorType,
  isErrorType,
  type SpeechResult,
  SwitchyardError,
  TEXT_TRANSCRIPT_FORMATS,
  type TextTranscript,
} from '@switchyard/core';
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
  const answer = mock === undefined ? undefined : mockInvoke(mock);
  return (group) => {
    if (flag && group === requestedGroup) {
      return async () => {
        throw new SwitchyardError(flag[1], `mock: ${flag[0]}`);
      };
    }
    return answer;
  };
}

/**
 * The provider call a `mock_response` makes: its content in the endpoint's own answer shape, or the named
 * error ("litellm.RateLimitError" or the bare name raises that error, as in LiteLLM).
 */
export function mockInvoke(mock: string): Invoke {
  const name = mock.startsWith('litellm.') ? mock.slice('litellm.'.length) : mock;
  return async ({ endpoint, body, deployment }) => {
    if (isErrorType(name)) throw new SwitchyardError(name, `mock_response: ${name}`);
    return mockResponse(endpoint, body, deployment.model, mock);
  };
}

/** A deployment's own `mock_response`: what every call to it makes instead of the provider's. */
export function deploymentMock(deployment: Deployment): Invoke | undefined {
  return deployment.mockResponse === undefined ? undefined : mockInvoke(deployment.mockResponse);
}

interface MockInput {
  body: Record<string, unknown>;
  model: string;
  content: string;
  id: string;
  created: number;
}

type MockAnswer = Pick<ProviderResponse, 'body' | 'usage'>;

const NO_USAGE = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

/** What each endpoint answers for a mock, in OpenAI's shape for it (a Record: a new endpoint must add one). */
const MOCK_ANSWERS: Readonly<Record<Endpoint, (m: MockInput) => MockAnswer>> = {
  'chat.completions': (m) =>
    textAnswer(m, 'chat.completion', {
      index: 0,
      message: { role: 'assistant', content: m.content },
      finish_reason: 'stop',
    }),
  completions: (m) =>
    textAnswer(m, 'text_completion', { index: 0, text: m.content, finish_reason: 'stop', logprobs: null }),
  // LiteLLM's mock embedding: zeros, 1536 of them unless the request asks for `dimensions`; one per input.
  embeddings: (m) => ({
    body: {
      object: 'list',
      model: m.model,
      data: inputsOf(m.body.input).map((_, index) => ({
        object: 'embedding',
        index,
        embedding: new Array(positive(m.body.dimensions) ?? 1536).fill(0),
      })),
      usage: { prompt_tokens: 0, total_tokens: 0 },
    },
    usage: NO_USAGE,
  }),
  // LiteLLM's mock image: the content is the image's url.
  'images.generations': (m) => {
    const n = positive(m.body.n) ?? 1;
    return {
      body: { created: m.created, data: Array.from({ length: n }, () => ({ url: m.content })) },
      usage: { ...NO_USAGE, units: { images: n } },
    };
  },
  'audio.transcriptions': (m) => transcript(m),
  'audio.translations': (m) => transcript(m),
  // The content's bytes as the audio, so a client sees a binary answer of the size it expects.
  'audio.speech': (m) => {
    const bytes = Buffer.from(m.content, 'utf8');
    const speech: SpeechResult = {
      object: 'audio.speech',
      content_type: 'audio/mpeg',
      data: bytes.toString('base64'),
      bytes: bytes.length,
    };
    const input = typeof m.body.input === 'string' ? m.body.input : '';
    return { body: { ...speech }, usage: { ...NO_USAGE, units: { characters: input.length } } };
  },
  moderations: (m) => ({
    body: {
      id: `modr-${m.id}`,
      model: m.model,
      results: inputsOf(m.body.input).map(() => ({ flagged: false, categories: {}, category_scores: {} })),
    },
    usage: NO_USAGE,
  }),
  // Every document, in the order given, each scored alike (a mock ranks nothing); top_n trims the list.
  rerank: (m) => {
    const documents = Array.isArray(m.body.documents) ? m.body.documents : [];
    const count = Math.min(documents.length, positive(m.body.top_n) ?? documents.length);
    return {
      body: {
        id: m.id,
        results: Array.from({ length: count }, (_, index) => ({ index, relevance_score: 1 })),
        meta: { billed_units: { search_units: 1 } },
      },
      usage: { ...NO_USAGE, units: { queries: 1 } },
    };
  },
};

function mockResponse(
  endpoint: Endpoint,
  body: Record<string, unknown>,
  model: string,
  content: string,
): ProviderResponse {
  const created = Math.floor(Date.now() / 1000);
  const id = `mock-${created}-${Math.random().toString(36).slice(2, 10)}`;
  return { ...MOCK_ANSWERS[endpoint]({ body, model, content, id, created }), headers: {} };
}

/** A chat or text completion: the content as the one choice, its length as completion tokens. */
function textAnswer(m: MockInput, object: string, choice: Record<string, unknown>): MockAnswer {
  const completionTokens = Math.max(1, Math.ceil(m.content.length / 4));
  return {
    body: {
      id: m.id,
      object,
      created: m.created,
      model: m.model,
      choices: [choice],
      usage: { prompt_tokens: 0, completion_tokens: completionTokens, total_tokens: completionTokens },
    },
    usage: { promptTokens: 0, completionTokens, totalTokens: completionTokens },
  };
}

/** A transcription or translation: `{text}`, or the plain-text form when `response_format` asks for one. */
function transcript(m: MockInput): MockAnswer {
  const format = m.body.response_format;
  if (typeof format === 'string' && TEXT_TRANSCRIPT_FORMATS.has(format)) {
    const text: TextTranscript = {
      object: 'audio.transcription.text',
      response_format: format as TextTranscript['response_format'],
      text: m.content,
    };
    return { body: { ...text }, usage: NO_USAGE };
  }
  return { body: { text: m.content }, usage: NO_USAGE };
}

/** OpenAI's `input`: one string or token list, or a list of them. */
function inputsOf(input: unknown): unknown[] {
  return Array.isArray(input) && input.length > 0 && typeof input[0] !== 'number' ? input : [input];
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
