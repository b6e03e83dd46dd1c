// A streamed call's time to first chunk reaches LiteLLM's TTFT histogram (the worker's /metrics); a plain call's does not.
import { ProcessMetrics } from '@switchyard/observability';
import type { ProviderResponse } from '@switchyard/providers';
import { describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../src/job/attempt.ts';
import type { JobContext } from '../src/job/context.ts';
import { observation } from '../src/job/observe.ts';

const deployment = {
  id: 'dep-1',
  modelGroup: 'g',
  provider: 'openai',
  model: 'gpt-4o-mini',
  litellmModel: 'openai/gpt-4o-mini',
  apiBase: 'https://api.openai.com/v1',
  tags: [],
  info: {},
  extraParams: {},
} as const;

const ctx = {
  job: { id: 'job-1', timestamp: 0, processedOn: 0, attemptsStarted: 1 },
  request: { endpoint: 'chat.completions', body: {}, metadata: undefined },
  state: { plan: { originalGroup: 'g', group: 'g' }, attempts: [] },
} as unknown as JobContext;

function called(response: Partial<ProviderResponse>): AttemptOutcome {
  return {
    kind: 'called',
    group: 'g',
    deployments: [deployment],
    deployment,
    latencyMs: 900,
    reservationId: 'r1',
    response: {
      body: {},
      usage: { promptTokens: 5, completionTokens: 20, totalTokens: 25 },
      headers: {},
      ...response,
    },
  } as unknown as AttemptOutcome;
}

async function ttftCount(outcome: AttemptOutcome): Promise<string | undefined> {
  const metrics = new ProcessMetrics();
  metrics.observe(observation(ctx, outcome, { action: 'retry' }, {}, { attemptIndex: 0, cause: undefined }));
  const { body } = await metrics.render();
  return body.split('\n').find((l) => l.startsWith('litellm_llm_api_time_to_first_token_metric_sum'));
}

describe('time to first token', () => {
  it('a streamed call records its time to first chunk, not the whole call', async () => {
    expect(await ttftCount(called({ timeToFirstChunkMs: 120 }))).toMatch(/ 0\.12$/);
  });
  it('a plain call records none', async () => {
    expect(await ttftCount(called({}))).toBeUndefined();
  });
});
