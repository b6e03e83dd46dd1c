// Health checks of a fleet: GET /health (master key) has a worker call each deployment — a dead provider is
// unhealthy with its classified error, a live one healthy; background rounds run once per interval across two
// workers; with enable_health_check_routing no job is sent to the deployment whose last check failed.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HealthReport } from '@switchyard/core';
import { HealthStore } from '@switchyard/redis-state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, type GatewayStack, openaiDeployment, startGatewayStack } from '../integration/harness.ts';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/cli/src/main.ts');
const MASTER = 'sk-master-health';
let stack: GatewayStack;
let store: HealthStore;

beforeAll(async () => {
  stack = await startGatewayStack({
    gateway: { masterKey: MASTER },
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'chat', 'live-model'),
        // Nothing listens on port 9 (discard): every call is refused.
        {
          model_name: 'chat',
          litellm_params: {
            model: 'openai/dead-model',
            api_base: 'http://127.0.0.1:9/v1',
            api_key: 'sk-dead-secret',
          },
          model_info: { id: 'dead', health_check_timeout: 5 },
        },
        {
          ...openaiDeployment(fake, 'embed', 'embed-model'),
          model_info: { id: 'embed-model', mode: 'embedding' },
        },
      ],
      router_settings: { num_retries: 0, routing_strategy: 'simple-shuffle' },
      general_settings: {
        background_health_checks: true,
        health_check_interval: 1,
        enable_health_check_routing: true,
      },
    }),
    workers: 2,
  });
  store = new HealthStore(stack.client.connection, 'bull:switchyard:sy');
});

afterAll(async () => {
  await stack?.stop();
});

const healthRequests = (model: string) =>
  stack.fake.requests.filter(
    (r) => r.model === model && JSON.stringify(r.body).includes('"ping"') && r.path.includes('chat'),
  ).length;

describe('health checks', () => {
  it('GET /health lists the dead provider unhealthy (classified error) and the live one healthy, no secret', async () => {
    const res = await fetch(`${stack.gateway.url}/health`, {
      headers: { authorization: `Bearer ${MASTER}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('sk-dead-secret');
    expect(text).not.toContain('sk-test-secret');
    const report = JSON.parse(text) as HealthReport;
    expect(report.healthy_count).toBe(2);
    expect(report.unhealthy_count).toBe(1);
    expect(report.healthy_endpoints.map((e) => e.model_id).sort()).toEqual(['embed-model', 'live-model']);
    expect(report.unhealthy_endpoints[0]).toMatchObject({
      model_id: 'dead',
      model: 'openai/dead-model',
      error_type: 'APIConnectionError',
    });
    expect(report.unhealthy_endpoints[0]!.error).toMatch(/^APIConnectionError: /);
  });

  it('?model=<group> checks that group only, with the request its mode needs', async () => {
    const res = await fetch(`${stack.gateway.url}/health?model=embed`, {
      headers: { authorization: `Bearer ${MASTER}` },
    });
    const report = (await res.json()) as HealthReport;
    expect(report).toMatchObject({ healthy_count: 1, unhealthy_count: 0 });
    expect(stack.fake.requests.some((r) => r.model === 'embed-model' && r.path.endsWith('/embeddings'))).toBe(
      true,
    );
    // The SDK asks the same way.
    expect((await stack.client.healthCheck('chat')).unhealthy_endpoints.map((e) => e.model_id)).toEqual([
      'dead',
    ]);
  });

  it('the probes stay cheap: /health without a key, /health/liveliness; another key is refused', async () => {
    expect(await (await fetch(`${stack.gateway.url}/health`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${stack.gateway.url}/health/liveliness`)).status).toBe(200);
    expect(
      (await fetch(`${stack.gateway.url}/health`, { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);
  });

  it('background checks: exactly one process of two runs each round, once per interval', async () => {
    const rounds0 = await store.roundsRun();
    const live0 = healthRequests('live-model');
    await new Promise((r) => setTimeout(r, 3_500));
    const rounds = (await store.roundsRun()) - rounds0;
    expect(rounds).toBeGreaterThanOrEqual(2);
    expect(rounds).toBeLessThanOrEqual(5);
    // One check of the live deployment per round: two workers never both ran a round.
    expect(healthRequests('live-model') - live0).toBe(rounds);
    const stored = await store.read();
    expect(stored.get('dead')).toMatchObject({ healthy: false, errorType: 'APIConnectionError' });
    expect(stored.get('live-model')).toMatchObject({ healthy: true });
  });

  it('with enable_health_check_routing no job goes to the deployment whose last check failed', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, () => stack.client.completion(chat('chat'))),
    );
    for (const r of results) {
      expect(r.routing?.deploymentId).toBe('live-model');
      expect(r.routing?.attempts).toHaveLength(1);
    }
  });

  it('`switchyard status` lists the runtime model list (an added deployment too) with the last health check', async () => {
    await stack.client.addDeployment({
      model_name: 'added-at-runtime',
      litellm_params: {
        model: 'openai/added-model',
        api_base: `${stack.fake.url}/v1`,
        api_key: 'os.environ/NOPE',
      },
      model_info: { id: 'runtime-1' },
    });
    const out = await new Promise<string>((res) => {
      const child = spawn(process.execPath, [CLI, 'status', '--config', stack.configPath], {
        env: { ...process.env, REDIS_URL: stack.redis.url },
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
      });
      child.on('exit', () => res(text));
    });
    expect(out).toContain('runtime-1');
    expect(out).toMatch(/dead.*UNHEALTHY/);
    expect(out).toMatch(/live-model.*healthy/);
  });
});
