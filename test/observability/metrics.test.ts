// `GET /metrics` with real processes: two workers (their own counters on the health port) and a gateway
// (fleet-wide state from Redis), scraped after a few jobs that succeed, retry, fall back and fail; the
// series LiteLLM's Grafana dashboards query must be there, with LiteLLM's names and labels. The queue is
// spread over three shards (queue_shards: 3): the gateway's queue counts — /metrics, /ui/state and the
// readiness probe — are every shard's.
import { shardOfJobId } from '@switchyard/core';
import { type GatewayProcess, healthUrl, stopWorkers } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chat,
  type GatewayStack,
  openaiDeployment,
  startGatewayProcessStack,
} from '../integration/harness.ts';
import { type Scrape, scrape, seriesNames, sum } from './prometheus-text.ts';

let stack: GatewayStack<GatewayProcess>;
let workerScrapes: Scrape[];
let fleet: Scrape;

const SHARDS = 3;

beforeAll(async () => {
  stack = await startGatewayProcessStack({
    fake: {
      rules: [
        { match: { model: 'bad-a' }, fault: { kind: 'error', status: 500 } },
        { match: { model: 'bad-b' }, fault: { kind: 'error', status: 500 } },
        { match: { model: 'flaky-1' }, fault: { kind: 'error', status: 500 }, failFirst: 1 },
        { match: { model: 'refuses-1' }, fault: { kind: 'error', status: 400 } },
      ],
    },
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'primary', 'bad-a'),
        openaiDeployment(fake, 'primary', 'bad-b'),
        openaiDeployment(fake, 'backup', 'good-b', {
          rpm: 1000,
          tpm: 1_000_000,
          input_cost_per_token: 0.000001,
          output_cost_per_token: 0.000002,
        }),
        // A sole deployment that fails once: retried after a backoff (the job waits in delayed).
        openaiDeployment(fake, 'flaky', 'flaky-1', { num_retries: 1, cooldown_time: 0 }),
        openaiDeployment(fake, 'refusing', 'refuses-1'),
      ],
      router_settings: {
        num_retries: 0,
        allowed_fails: 0,
        cooldown_time: 120,
        fallbacks: [{ primary: ['backup'] }],
      },
      litellm_settings: { success_callback: ['prometheus'] },
      switchyard_settings: { queue_shards: SHARDS },
    }),
    queueShards: SHARDS,
    workerArgs: ['--health-port', '0'],
  });
  const { client } = stack;

  await Promise.all([1, 2, 3].map(() => client.completion(chat('backup'))));
  // One after the other, so each meets the other deployment of `primary` still healthy.
  for (let i = 0; i < 2; i++) {
    const res = await client.completion(chat('primary'));
    expect(res.routing.modelGroup).toBe('backup');
  }
  expect((await client.completion(chat('flaky'))).routing.attempts).toHaveLength(2);
  await expect(client.completion(chat('refusing'))).rejects.toMatchObject({ type: 'BadRequestError' });

  workerScrapes = await Promise.all(stack.workers.map((w) => scrape(`${healthUrl(w)}/metrics`)));
  fleet = await scrape(`${stack.gateway.url}/metrics`);
}, 120_000);

afterAll(() => stack?.stop());

describe("each worker's /metrics: its own calls, summed across the fleet by Prometheus", () => {
  it('counts calls per deployment with LiteLLM names and labels', () => {
    expect(sum(workerScrapes, 'litellm_deployment_total_requests_total')).toBe(10);
    expect(sum(workerScrapes, 'litellm_deployment_success_responses_total', { model_id: 'good-b' })).toBe(5);
    expect(
      sum(workerScrapes, 'litellm_deployment_success_responses_total', {
        requested_model: 'flaky',
        model_id: 'flaky-1',
        api_provider: 'openai',
        litellm_model_name: 'openai/flaky-1',
      }),
    ).toBe(1);
    expect(
      sum(workerScrapes, 'litellm_deployment_failure_responses_total', {
        exception_class: 'InternalServerError',
        exception_status: '500',
      }),
    ).toBe(3);
    expect(
      sum(workerScrapes, 'litellm_deployment_failure_responses_total', {
        exception_class: 'BadRequestError',
      }),
    ).toBe(1);
  });

  it('counts cooldowns and fallbacks', () => {
    expect(sum(workerScrapes, 'litellm_deployment_cooled_down_total', { model_id: 'bad-a' })).toBe(1);
    expect(sum(workerScrapes, 'litellm_deployment_cooled_down_total', { model_id: 'bad-b' })).toBe(1);
    expect(
      sum(workerScrapes, 'litellm_deployment_successful_fallbacks_total', {
        requested_model: 'primary',
        fallback_model: 'backup',
        exception_class: 'InternalServerError',
      }),
    ).toBe(2);
    expect(sum(workerScrapes, 'litellm_deployment_failed_fallbacks_total')).toBe(0);
  });

  it('counts requests (jobs), their failures, retries and re-enqueues', () => {
    expect(sum(workerScrapes, 'litellm_proxy_total_requests_metric_total', { status_code: '200' })).toBe(6);
    expect(
      sum(workerScrapes, 'litellm_proxy_failed_requests_metric_total', {
        requested_model: 'refusing',
        exception_class: 'BadRequestError',
        exception_status: '400',
      }),
    ).toBe(1);
    expect(sum(workerScrapes, 'litellm_request_total_latency_metric_count')).toBe(7);
    expect(sum(workerScrapes, 'switchyard_job_retries_total', { model_group: 'flaky' })).toBe(1);
    expect(
      sum(workerScrapes, 'switchyard_job_reenqueues_total', { model_group: 'flaky', reason: 'backoff' }),
    ).toBe(1);
  });

  it('records latency, tokens and spend', () => {
    expect(sum(workerScrapes, 'litellm_llm_api_latency_metric_count', { model_id: 'good-b' })).toBe(5);
    expect(sum(workerScrapes, 'litellm_deployment_latency_per_output_token_count')).toBe(6);
    const input = sum(workerScrapes, 'litellm_input_tokens_metric_total', { model_id: 'good-b' });
    const output = sum(workerScrapes, 'litellm_output_tokens_metric_total', { model_id: 'good-b' });
    expect(input).toBeGreaterThan(0);
    expect(output).toBeGreaterThan(0);
    expect(sum(workerScrapes, 'litellm_total_tokens_metric_total', { model_id: 'good-b' })).toBe(
      input + output,
    );
    expect(sum(workerScrapes, 'litellm_spend_metric_total', { model_id: 'good-b' })).toBeCloseTo(
      input * 0.000001 + output * 0.000002,
      12,
    );
  });

  it("says in HELP that the figures are this process's; never shows a key", () => {
    const help = workerScrapes[0]!.help.get('litellm_deployment_total_requests_total');
    expect(help).toContain('This worker process');
    expect(workerScrapes[0]!.types.get('litellm_deployment_total_requests_total')).toBe('counter');
    expect(workerScrapes[0]!.types.get('litellm_llm_api_latency_metric')).toBe('histogram');
    for (const s of workerScrapes) expect(JSON.stringify(s.samples)).not.toContain('sk-test-secret');
  });
});

describe("the gateway's /metrics: the fleet's routing state and queue, read from Redis", () => {
  it("shows each deployment's state: cooling is a complete outage, healthy is 0", () => {
    expect(sum([fleet], 'litellm_deployment_state', { model_id: 'bad-a', api_provider: 'openai' })).toBe(2);
    expect(sum([fleet], 'litellm_deployment_state', { model_id: 'bad-b' })).toBe(2);
    expect(sum([fleet], 'litellm_deployment_state', { model_id: 'good-b' })).toBe(0);
    expect(
      sum([fleet], 'switchyard_deployment_cooldown_remaining_seconds', { model_id: 'bad-a' }),
    ).toBeGreaterThan(60);
  });

  it('shows limits, use in the window and what remains', () => {
    expect(sum([fleet], 'litellm_deployment_rpm_limit', { model_id: 'good-b' })).toBe(1000);
    expect(
      sum([fleet], 'switchyard_deployment_rpm_used', { model_id: 'good-b', model_group: 'backup' }),
    ).toBe(5);
    expect(
      sum([fleet], 'litellm_remaining_requests_metric', { model_id: 'good-b', model_group: 'backup' }),
    ).toBe(995);
    expect(sum([fleet], 'litellm_remaining_tokens_metric', { model_id: 'good-b' })).toBeLessThan(1_000_000);
    expect(sum([fleet], 'switchyard_deployment_in_flight')).toBe(0);
  });

  it("counts the queue's jobs by state, over every shard", async () => {
    // The jobs (random ids) landed on more than one shard, so the first shard alone would count fewer.
    const perShard = await Promise.all(
      stack.client.queues.map((q) => q.getJobCountByTypes('completed', 'failed')),
    );
    expect(perShard.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(sum([fleet], 'switchyard_queue_jobs', { queue: 'switchyard', state: 'completed' })).toBe(6);
    expect(sum([fleet], 'switchyard_queue_jobs', { state: 'failed' })).toBe(1);
    expect(sum([fleet], 'switchyard_queue_jobs', { state: 'waiting' })).toBe(0);
  });

  it('says in HELP that the figures are fleet-wide; never shows a key', () => {
    expect(fleet.help.get('litellm_deployment_state')).toContain('Fleet-wide');
    expect(JSON.stringify(fleet.samples)).not.toContain('sk-test-secret');
  });
});

it("finds the series LiteLLM's Grafana dashboards query", () => {
  const names = seriesNames([...workerScrapes, fleet]);
  // cookbook/litellm_proxy_server/grafana_dashboard/dashboard_v2 (proxy-level panels) and the
  // deployment panels of LiteLLM's docs (prometheus.md "LLM API / Provider Metrics").
  const queried = [
    'litellm_proxy_total_requests_metric_total',
    'litellm_proxy_failed_requests_metric_total',
    'litellm_request_total_latency_metric_sum',
    'litellm_request_total_latency_metric_count',
    'litellm_request_total_latency_metric_bucket',
    'litellm_deployment_state',
    'litellm_deployment_total_requests_total',
    'litellm_deployment_success_responses_total',
    'litellm_deployment_failure_responses_total',
    'litellm_deployment_cooled_down_total',
    'litellm_deployment_successful_fallbacks_total',
    'litellm_remaining_requests_metric',
    'litellm_remaining_tokens_metric',
    'litellm_deployment_latency_per_output_token_bucket',
    'litellm_llm_api_latency_metric_bucket',
    'litellm_spend_metric_total',
    'litellm_total_tokens_metric_total',
    'litellm_input_tokens_metric_total',
    'litellm_output_tokens_metric_total',
    'litellm_request_queue_time_seconds_bucket',
  ];
  expect(queried.filter((n) => !names.has(n))).toEqual([]);
});

// Last: it stops the workers so that jobs stay waiting.
describe('jobs waiting on every shard, with no worker running', () => {
  it('are all counted by /metrics, /ui/state and the readiness probe', async () => {
    await stopWorkers(stack.workers);
    // Two job ids per shard, so every shard holds waiting jobs.
    const ids: string[] = [];
    for (let i = 0; ids.length < 2 * SHARDS; i++) {
      const id = `waiting-${i}`;
      if (ids.filter((x) => shardOfJobId(x, SHARDS) === shardOfJobId(id, SHARDS)).length < 2) ids.push(id);
    }
    for (const jobId of ids) await stack.client.enqueue('chat.completions', chat('backup'), { jobId });
    for (const q of stack.client.queues) expect(await q.getJobCountByTypes('waiting')).toBe(2);

    const scraped = await scrape(`${stack.gateway.url}/metrics`);
    expect(sum([scraped], 'switchyard_queue_jobs', { queue: 'switchyard', state: 'waiting' })).toBe(6);
    expect(sum([scraped], 'switchyard_queue_jobs', { state: 'completed' })).toBe(6);
    const state = (await (await fetch(`${stack.gateway.url}/ui/state`)).json()) as {
      queue: { name: string; counts: Record<string, number> };
    };
    expect(state.queue).toMatchObject({
      name: 'switchyard',
      counts: { waiting: 6, completed: 6, failed: 1 },
    });
    const ready = await fetch(`${stack.gateway.url}/health/readiness`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', waiting: 6 });
  });
});
