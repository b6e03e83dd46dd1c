// The fleet as operators see it, with real processes: two workers and a gateway with keys. A cooldown
// that several workers' failures hit is counted once; cache hits and streamed first tokens are measured;
// a deployment added at runtime shows in the gateway's `/metrics`; `/metrics` and the `/ui` dashboard
// need the master key or a read-only key; and a real headless Chromium shows the cooled deployment.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile, type OutcomeEvent } from '@switchyard/core';
import { startGateway } from '@switchyard/gateway';
import { healthUrl, writeTempConfig } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, type GatewayStack, openaiDeployment, startGatewayStack } from '../integration/harness.ts';
import { parsePrometheus, type Scrape, scrape, sum } from './prometheus-text.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = '/usr/bin/chromium';
const MASTER = 'sk-master-fleet';
const VIEWER = 'sk-view-only';
const CALLER = 'sk-caller';

let stack: GatewayStack;
let workerScrapes: Scrape[];
let events: OutcomeEvent[];

async function get(path: string, key?: string): Promise<Response> {
  return fetch(`${stack.gateway.url}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
}

beforeAll(async () => {
  stack = await startGatewayStack({
    fake: {
      rules: [
        // Slow to fail: several workers' calls are in flight when the first failure cools it.
        { match: { model: 'slow-bad' }, latencyMs: 800, fault: { kind: 'error', status: 500 } },
        { match: { model: 'stream-1' }, stream: { gapMs: 30, chunks: 4 } },
        // Never called by a job: only a health check finds it broken.
        { match: { model: 'sick-1' }, fault: { kind: 'error', status: 401 } },
      ],
    },
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'slow', 'slow-bad'),
        openaiDeployment(fake, 'backup', 'good-1', {
          rpm: 1000,
          tpm: 1_000_000,
          input_cost_per_token: 0.000001,
        }),
        openaiDeployment(fake, 'streamy', 'stream-1'),
        openaiDeployment(fake, 'sick', 'sick-1'),
      ],
      router_settings: {
        num_retries: 0,
        allowed_fails: 0,
        cooldown_time: 120,
        fallbacks: [{ slow: ['backup'] }],
      },
      litellm_settings: { success_callback: ['prometheus'], cache: true },
      general_settings: { master_key: MASTER },
      switchyard_settings: { events: true },
    }),
    workerArgs: ['--health-port', '0'],
    gateway: (started) => ({
      config: loadConfigFile(started.configPath),
      masterKey: MASTER,
      apiKeys: [CALLER],
      readOnlyKeys: [VIEWER],
    }),
  });
  const { client } = stack;

  // Four jobs at once at a deployment that fails slowly: every one falls back, one cooldown.
  const fellBack = await Promise.all([1, 2, 3, 4].map((i) => client.completion(chat('slow', `slow ${i}`))));
  for (const r of fellBack) expect(r.routing.modelGroup).toBe('backup');
  // The second identical request is answered from the cache.
  await client.completion(chat('backup', 'same question'));
  expect((await client.completion(chat('backup', 'same question'))).routing.cacheHit).toBe(true);
  // A streamed answer: its first chunk's time is measured.
  for await (const _ of client.stream({ ...chat('streamy', 'stream please'), stream: true })) {
    // drained
  }

  workerScrapes = await Promise.all(stack.workers.map((w) => scrape(`${healthUrl(w)}/metrics`)));
  const reader = stack.redis.client();
  const entries = (await reader.xrange('bull:switchyard:sy:events', '-', '+')) as [string, string[]][];
  reader.disconnect();
  events = entries.map(([id, f]) => ({ id, type: f[1], payload: JSON.parse(f[3]!) }) as OutcomeEvent);
}, 120_000);

afterAll(() => stack?.stop());

describe('what workers count', () => {
  it('counts a cooldown once, however many workers fail the deployment while it cools', () => {
    // Several calls failed (each fell back), but they were one outage.
    const failed = sum(workerScrapes, 'litellm_deployment_failure_responses_total', { model_id: 'slow-bad' });
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(sum(workerScrapes, 'litellm_deployment_cooled_down_total', { model_id: 'slow-bad' })).toBe(1);
    expect(events.filter((e) => e.type === 'cooldown')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'fallback')).toHaveLength(failed);
  });

  it('counts a cache hit as a metric and a success event marked cache_hit', () => {
    expect(
      sum(workerScrapes, 'litellm_cache_hits_metric_total', {
        requested_model: 'backup',
        model_id: 'good-1',
      }),
    ).toBe(1);
    expect(sum(workerScrapes, 'litellm_cached_tokens_metric_total', { model_id: 'good-1' })).toBeGreaterThan(
      0,
    );
    const hits = events.filter((e) => e.payload.cache_hit);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      type: 'success',
      payload: { model_group: 'backup', model_id: 'good-1', response_cost: 0 },
    });
    expect(hits[0]!.payload.total_tokens).toBeGreaterThan(0);
  });

  it('measures time to first token on streamed calls only', () => {
    expect(
      sum(workerScrapes, 'litellm_llm_api_time_to_first_token_metric_count', { model_id: 'stream-1' }),
    ).toBe(1);
    expect(
      sum(workerScrapes, 'litellm_llm_api_time_to_first_token_metric_count', { model_id: 'good-1' }),
    ).toBe(0);
  });
});

describe("who may look: the master key or a read-only key, never a caller's API key", () => {
  it('/metrics', async () => {
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', CALLER)).status).toBe(401);
    expect((await get('/metrics', VIEWER)).status).toBe(200);
    expect((await get('/metrics', MASTER)).status).toBe(200);
  });

  it('/ui/state, and a read-only key is no API key', async () => {
    expect((await get('/ui/state')).status).toBe(401);
    expect((await get('/ui/state', CALLER)).status).toBe(401);
    expect((await get('/ui/state', VIEWER)).status).toBe(200);
    const call = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VIEWER}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat('backup', 'hi')),
    });
    expect(call.status).toBe(401);
  });

  it('a dashboard session is a cookie that never holds the key', async () => {
    const refused = await fetch(`${stack.gateway.url}/ui/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: CALLER }),
    });
    expect(refused.status).toBe(401);
    const ok = await fetch(`${stack.gateway.url}/ui/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: VIEWER }),
    });
    expect(ok.status).toBe(204);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).not.toContain(VIEWER);
    const state = await fetch(`${stack.gateway.url}/ui/state`, {
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(state.status).toBe(200);
  });

  it('require_auth_for_metrics_endpoint: false opens /metrics to any scraper', async () => {
    const config = loadConfigFile(
      writeTempConfig({
        model_list: [openaiDeployment(stack.fake, 'backup', 'good-1')],
        litellm_settings: { success_callback: ['prometheus'], require_auth_for_metrics_endpoint: false },
      }),
    );
    const open = await startGateway({ port: 0, redisUrl: stack.redis.url, config, apiKeys: [CALLER] });
    try {
      expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
      expect((await fetch(`${open.url}/ui/state`)).status).toBe(401);
    } finally {
      await open.close();
    }
  });
});

describe("the gateway's fleet view", () => {
  it('includes a deployment added at runtime', async () => {
    const added = await fetch(`${stack.gateway.url}/model/new`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model_name: 'backup',
        litellm_params: {
          model: 'openai/added-1',
          api_base: `${stack.fake.url}/v1`,
          api_key: 'os.environ/NOT_SET_HERE',
        },
        model_info: { id: 'added-1' },
      }),
    });
    expect(added.status, await added.clone().text()).toBe(200);
    const fleet = parsePrometheus(await (await get('/metrics', VIEWER)).text());
    expect(sum([fleet], 'litellm_deployment_state', { model_id: 'added-1', api_provider: 'openai' })).toBe(0);
    expect(sum([fleet], 'litellm_deployment_state', { model_id: 'slow-bad' })).toBe(2);
    expect(JSON.stringify(fleet.samples)).not.toContain('sk-test-secret');
  });

  it('/ui/state: a deployment whose last health check failed is unhealthy', async () => {
    const checked = await get('/health?model=sick', MASTER);
    expect(checked.status, await checked.clone().text()).toBe(200);
    expect(((await checked.json()) as { unhealthy_count: number }).unhealthy_count).toBe(1);
    const state = (await (await get('/ui/state', VIEWER)).json()) as Record<string, any>;
    const sick = (state.deployments as any[]).find((d) => d.id === 'sick-1');
    expect(sick).toMatchObject({ state: 'unhealthy', healthCheck: { healthy: false } });
    expect(sick.healthCheck.error).toMatch(/^AuthenticationError/);
  });

  it('/ui/state: states, limits, queue, usage figures, group shares and the last failures', async () => {
    // Workers add their usage totals once a second: wait for them.
    let state: Record<string, any> = {};
    await expect
      .poll(async () => {
        state = (await (await get('/ui/state', VIEWER)).json()) as Record<string, any>;
        return (state.deployments as any[]).find((d) => d.id === 'good-1')?.calls;
      })
      .toBeGreaterThanOrEqual(5);
    const byId = new Map((state.deployments as any[]).map((d) => [d.id, d]));
    expect(byId.get('slow-bad')).toMatchObject({ state: 'cooling', group: 'slow' });
    expect(byId.get('slow-bad').cooldownSecondsLeft).toBeGreaterThan(60);
    expect(byId.get('good-1')).toMatchObject({ state: 'healthy', rpm: { limit: 1000 } });
    expect(byId.get('good-1').rpm.used).toBeGreaterThanOrEqual(5);
    expect(byId.get('good-1').successRate).toBe(1);
    expect(byId.get('good-1').latencyP50Ms).toBeGreaterThan(0);
    expect(byId.get('good-1').costUsd).toBeGreaterThan(0);
    expect(byId.get('slow-bad').successRate).toBe(0);
    expect(state.queue.counts.completed).toBeGreaterThanOrEqual(7);
    const groups = new Map((state.groups as any[]).map((g) => [g.group, g]));
    expect(groups.get('slow').fallbackRate).toBe(1);
    expect(groups.get('slow').trafficShare).toBe(0);
    expect(groups.get('backup').trafficShare).toBeGreaterThan(0.5);
    expect(state.recentFailures[0]).toMatchObject({
      errorClass: 'InternalServerError',
      deploymentId: 'slow-bad',
    });
    expect(JSON.stringify(state)).not.toContain('sk-test-secret');
  });
});

describe.skipIf(!existsSync(CHROMIUM))('the dashboard in a real browser', () => {
  it('opens from a link with the key in its fragment and shows the deployment cooling', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const served: string[] = [];
      page.on('request', (r) => served.push(r.url()));
      await page.goto(`${stack.gateway.url}/ui#key=${VIEWER}`);
      const row = page.locator('tr[data-deployment="slow-bad"]');
      await row.waitFor({ timeout: 15_000 });
      await expect.poll(() => row.getAttribute('data-state')).toBe('cooling');
      expect((await row.textContent()) ?? '').toMatch(/cooling \d+ s/);
      expect(await page.locator('tr[data-deployment="good-1"]').getAttribute('data-state')).toBe('healthy');
      // The key left the address bar and was never part of a URL the browser requested.
      expect(page.url()).not.toContain(VIEWER);
      expect(served.some((u) => u.includes(VIEWER))).toBe(false);
      // Live: a later poll shows fewer seconds left.
      const seconds = async () => Number(/cooling (\d+) s/.exec((await row.textContent()) ?? '')?.[1]);
      const first = await seconds();
      await expect.poll(seconds, { timeout: 5_000 }).toBeLessThan(first);
      const out = resolve(ROOT, 'test-output');
      mkdirSync(out, { recursive: true });
      await page.screenshot({ path: resolve(out, 'dashboard.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
