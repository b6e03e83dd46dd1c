// Usage totals of a fleet: after a known batch on two worker processes (through the SDK and the gateway),
// the totals per deployment, group, tag and gateway key equal the batch — requests, tokens, cost to the cent.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompletionError, RoutedResult } from '@switchyard/client';
import type { UsageRow } from '@switchyard/core';
import { type RunningGateway, startGateway } from '@switchyard/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from '../integration/harness.ts';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/cli/src/main.ts');
const MASTER = 'sk-master-usage';
const TEAM_KEY = 'sk-team-usage';
const PRICES = { input_cost_per_token: 0.0001, output_cost_per_token: 0.0002 };
// Tag routing is on for tagged jobs: the priced deployments carry the tag the batch uses.
const TAGGED = { ...PRICES, tags: ['team-a'] };
let stack: Stack;
let gateway: RunningGateway;
const results: RoutedResult[] = [];
let failed = 0;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'priced', 'priced-a', TAGGED),
        openaiDeployment(fake, 'priced', 'priced-b', TAGGED),
        openaiDeployment(fake, 'broken', 'broken-model', PRICES),
      ],
      router_settings: { num_retries: 0, routing_strategy: 'simple-shuffle' },
    }),
    fake: { rules: [{ match: { model: 'broken-model' }, fault: { kind: 'error', status: 429 } }] },
    workers: 2,
    concurrency: 4,
  });
  gateway = await startGateway({
    port: 0,
    redisUrl: stack.redis.url,
    masterKey: MASTER,
    apiKeys: [TEAM_KEY],
  });
  // The known batch: 16 SDK jobs tagged team-a, 4 through the gateway with the team key, 3 that fail.
  const sdk = Array.from({ length: 16 }, (_, i) =>
    stack.client.completion({
      ...chat('priced', `document number ${i} `.repeat(1 + (i % 3))),
      metadata: { tags: ['team-a'] },
    }),
  );
  const viaGateway = Array.from({ length: 4 }, async (_, i) => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEAM_KEY}`, 'content-type': 'application/json' },
      // A caller cannot charge its calls to another key: the gateway overwrites this.
      body: JSON.stringify({ ...chat('priced', `gateway ${i}`), metadata: { user_api_key_hash: 'forged' } }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as RoutedResult;
  });
  results.push(...(await Promise.all([...sdk, ...viaGateway])));
  for (let i = 0; i < 3; i++) {
    await stack.client.completion(chat('broken')).catch((err: CompletionError) => {
      expect(err.type).toBe('RateLimitError');
      failed++;
    });
  }
});

afterAll(async () => {
  await gateway?.close();
  await stack?.stop();
});

type Usage = { usage?: { prompt_tokens: number; completion_tokens: number } };
const sum = (list: RoutedResult[], f: (r: RoutedResult & Usage) => number) =>
  list.reduce((a, r) => a + f(r), 0);

/** Polls until the workers' once-a-second flush has landed every call. */
async function rows(by: 'deployment' | 'group' | 'tag' | 'key', expectRequests: number): Promise<UsageRow[]> {
  let last: UsageRow[] = [];
  await expect
    .poll(
      async () => {
        last = (await stack.client.getUsageStats({ since: '1h', by })).rows;
        return last.reduce((a, r) => a + r.requests, 0);
      },
      { timeout: 10_000, interval: 200 },
    )
    .toBe(expectRequests);
  return last;
}

describe('usage totals', () => {
  it('per group: requests, successes, failures by type, tokens and cost equal the batch', async () => {
    expect(failed).toBe(3);
    const byGroup = new Map((await rows('group', 23)).map((r) => [r.id, r]));
    const priced = byGroup.get('priced')!;
    expect(priced.requests).toBe(20);
    expect(priced.successes).toBe(20);
    expect(priced.promptTokens).toBe(sum(results, (r) => r.usage!.prompt_tokens));
    expect(priced.completionTokens).toBe(sum(results, (r) => r.usage!.completion_tokens));
    const cost = sum(results, (r) => r.routing!.cost);
    expect(cost).toBeGreaterThan(0.01);
    expect(priced.cost.toFixed(2)).toBe(cost.toFixed(2));
    expect(priced.cost).toBeCloseTo(cost, 9);
    expect(priced.latencyP50Ms).toBeGreaterThan(0);
    expect(byGroup.get('broken')).toMatchObject({
      requests: 3,
      successes: 0,
      failures: { RateLimitError: 3 },
      cost: 0,
    });
  });

  it('per deployment, tag and gateway key (the key only as its hash)', async () => {
    const byDeployment = await rows('deployment', 23);
    const served = (id: string) => results.filter((r) => r.routing!.deploymentId === id).length;
    expect(byDeployment.find((r) => r.id === 'priced-a')?.requests ?? 0).toBe(served('priced-a'));
    expect(byDeployment.find((r) => r.id === 'priced-b')?.requests ?? 0).toBe(served('priced-b'));
    const tags = await rows('tag', 16);
    expect(tags).toMatchObject([{ id: 'team-a', requests: 16, successes: 16 }]);
    const keys = await rows('key', 4);
    expect(keys).toHaveLength(1);
    expect(keys[0]!.id).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await stack.client.connection.keys('*usage*'))).not.toContain(TEAM_KEY);
  });

  it('GET /usage answers the master key only', async () => {
    const denied = await fetch(`${gateway.url}/usage`, { headers: { authorization: `Bearer ${TEAM_KEY}` } });
    expect(denied.status).toBe(401);
    const res = await fetch(`${gateway.url}/usage?since=30m&by=group`, {
      headers: { authorization: `Bearer ${MASTER}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { by: string; rows: UsageRow[] };
    expect(body.by).toBe('group');
    expect(body.rows.find((r) => r.id === 'priced')?.requests).toBe(20);
    const bad = await fetch(`${gateway.url}/usage?by=planet`, {
      headers: { authorization: `Bearer ${MASTER}` },
    });
    expect(bad.status).toBe(400);
  });

  it('the cost map shows the configured prices; `switchyard usage` prints the table', async () => {
    const prices = await stack.client.getModelCostMap();
    expect(prices.find((p) => p.id === 'priced-a')).toMatchObject({
      inputCostPerToken: 0.0001,
      outputCostPerToken: 0.0002,
      source: 'config',
    });
    const out = await cli(['usage', '--by', 'group', '--config', stack.configPath]);
    expect(out).toMatch(/priced\s*│\s*20\s*│\s*20/);
    expect(out).toMatch(/broken\s*│\s*3\s*│\s*0\s*│\s*RateLimitError 3/);
  });

  it('resetCost forgets the totals', async () => {
    await stack.client.resetCost();
    expect((await stack.client.getUsageStats({ by: 'group' })).rows).toEqual([]);
  });
});

function cli(args: string[]): Promise<string> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, REDIS_URL: stack.redis.url },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    // Without the table's colours.
    child.on('exit', () => res(out.replace(new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g'), '')));
  });
}
