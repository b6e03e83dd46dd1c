// The integration essentials on a local Redis Cluster (3 masters + 3 replicas) with real worker processes:
// routing, retries, fallbacks, streaming, batches (SDK and `switchyard batch`), queue shards, budgets, a bad
// prefix refused at start, and a master failover (`CLUSTER FAILOVER`) in the middle of a batch with every
// job finished exactly once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompletionError, SwitchyardClient } from '@switchyard/client';
import {
  type FakeProvider,
  spawnWorker,
  spawnWorkers,
  startFakeProvider,
  startRedisCluster,
  stopWorkers,
  type TestRedisCluster,
  type WorkerProcess,
  writeTempConfig,
} from '@switchyard/testkit';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatLine, runCli } from '../batches/support.ts';
import { waitFor } from '../faults/helpers.ts';
import { chat, openaiDeployment } from '../integration/harness.ts';

const PREFIX = '{sy}';
let cluster: TestRedisCluster;
let fake: FakeProvider;
let workers: WorkerProcess[] = [];
let client: SwitchyardClient;

const config = (extra: object = {}) => ({
  model_list: [
    openaiDeployment(fake, 'a', 'a-1'),
    openaiDeployment(fake, 'a', 'a-2'),
    openaiDeployment(fake, 'flaky', 'flaky-1'),
    openaiDeployment(fake, 'broken', 'broken-1'),
    openaiDeployment(fake, 'slow', 'slow-1'),
  ],
  router_settings: { num_retries: 2, retry_after: 0, fallbacks: [{ broken: ['a'] }] },
  switchyard_settings: { queue_prefix: PREFIX, lock_duration_ms: 5000, ...extra },
});

beforeAll(async () => {
  [cluster, fake] = await Promise.all([
    startRedisCluster(),
    startFakeProvider({
      latencyMs: 20,
      logLimit: 5000,
      stream: { gapMs: 2 },
      rules: [
        { match: { model: 'broken-1' }, fault: { kind: 'error', status: 500 } },
        { match: { model: 'flaky-1' }, failFirst: 1, fault: { kind: 'error', status: 503 } },
        { match: { model: 'slow-1' }, latencyMs: 100 },
      ],
    }),
  ]);
  const configPath = writeTempConfig(config());
  // One worker finds the cluster through REDIS_URL (the redis+cluster:// address), one through
  // REDIS_CLUSTER_NODES (host:port list), as an operator would set it.
  const [viaUrl, viaNodes] = await Promise.all([
    spawnWorkers({ configPath, redisUrl: cluster.url, count: 1, concurrency: 20 }),
    spawnWorkers({
      configPath,
      redisUrl: undefined,
      env: { REDIS_CLUSTER_NODES: cluster.nodeList },
      count: 1,
      concurrency: 20,
    }),
  ]);
  workers = [...viaUrl, ...viaNodes];
  client = new SwitchyardClient({ redisUrl: cluster.url, prefix: PREFIX, timeoutMs: 30_000, pollMs: 1_000 });
  await client.ready();
}, 90_000);

afterAll(async () => {
  await client?.close();
  await stopWorkers(workers).catch(() => {});
  await fake?.close();
  await cluster?.stop();
});

describe('on a Redis Cluster', () => {
  it('routes over both deployments of a group (every routing script on the group slot)', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.completion(chat('a', `r${i}`))),
    );
    const used = new Set(results.map((r) => r.routing.deploymentId));
    expect(used).toEqual(new Set(['a-1', 'a-2']));
    // Usage totals (one pipelined flush a second, all on one hash tag) reach the cluster too.
    await waitFor(
      async () =>
        ((await client.getUsageStats({ by: 'group' })).rows.find((r) => r.id === 'a')?.requests ?? 0) >= 20,
      10_000,
      'usage totals of group a',
    );
  });

  it('retries a failed call and falls back to another group', async () => {
    const retried = await client.completion(chat('flaky'));
    expect(retried.routing.attempts.map((a) => a.error?.status)).toEqual([503, undefined]);
    const fellBack = await client.completion(chat('broken'));
    expect(fellBack.routing.modelGroup).toBe('a');
    expect(fellBack.routing.attempts[0]).toMatchObject({ deploymentId: 'broken-1', error: { status: 500 } });
  });

  it('streams chunks through the per-job Redis Stream', async () => {
    const stream = client.stream(chat('a', 'stream me four words'));
    let text = '';
    for await (const chunk of stream) text += (chunk as any).choices?.[0]?.delta?.content ?? '';
    expect(text).toBe('echo: stream me four words');
    expect((await client.result(stream.jobId))?.routing.modelGroup).toBe('a');
  });

  it('runs a batch as a BullMQ flow', async () => {
    const run = client.batch([
      { custom_id: 'one', body: chat('a', 'b1') },
      { custom_id: 'two', body: chat('broken', 'b2') },
    ]);
    const lines = [];
    for await (const line of run) lines.push(line);
    expect(lines.map((l) => [l.custom_id, l.response?.status_code]).sort()).toEqual([
      ['one', 200],
      ['two', 200],
    ]);
  });

  it('switchyard batch: with --config it runs there; without, one line says what to give', async () => {
    const input = join(mkdtempSync(join(tmpdir(), 'switchyard-cluster-batch-')), 'in.jsonl');
    writeFileSync(input, ['k1', 'k2', 'k3'].map((id) => chatLine({ custom_id: id, model: 'a' })).join('\n'));
    const env = { REDIS_URL: undefined, REDIS_CLUSTER_NODES: cluster.nodeList };
    const refused = await runCli(['batch', 'submit', input], env);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--config');
    expect(refused.err).not.toMatch(/^\s+at /m);
    const submitted = await runCli(
      ['batch', 'submit', input, '--wait', '-c', writeTempConfig(config())],
      env,
    );
    expect(submitted.code, submitted.err).toBe(0);
    expect(submitted.out).toMatch(/batch_[0-9a-f]{24} completed: 3 done, 0 failed of 3/);
  });

  it('refuses to start with an untagged queue prefix, naming the field', async () => {
    const bad = spawnWorker({
      configPath: writeTempConfig({ ...config(), switchyard_settings: { queue_name: 'bad' } }),
      redisUrl: cluster.url,
    });
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('switchyard_settings.queue_prefix');
  });

  it('spreads jobs over queue shards, each consumed by every worker', async () => {
    const layout = { queue_name: 'sharded', queue_prefix: PREFIX, queue_shards: 3 };
    const sharded = await spawnWorkers({
      configPath: writeTempConfig(config(layout)),
      redisUrl: cluster.url,
      count: 1,
    });
    const shardClient = new SwitchyardClient({
      redisUrl: cluster.url,
      queueName: 'sharded',
      prefix: PREFIX,
      queueShards: 3,
    });
    try {
      const ids = await shardClient.enqueueBatch(
        Array.from({ length: 30 }, (_, i) => ({ body: chat('a', `s${i}`) })),
      );
      const results = await Promise.all(ids.map((id) => shardClient.result(id)));
      expect(results.every((r) => r?.routing.modelGroup === 'a')).toBe(true);
      const perShard = await Promise.all(shardClient.queues.map((q) => q.getJobCountByTypes('completed')));
      expect(perShard.every((n) => n > 0)).toBe(true);
      expect(perShard.reduce((a, b) => a + b, 0)).toBe(30);
      expect(shardClient.queues.map((q) => q.opts.prefix)).toEqual(['{sy:0}', '{sy:1}', '{sy:2}']);
    } finally {
      await shardClient.close();
      await stopWorkers(sharded);
    }
  });

  it('enforces a provider budget shared by two groups on different slots', async () => {
    // "hello" is 2 prompt + 3 completion tokens at the fake: $0.005 a call, so $0.02 is 4 calls.
    const prices = { input_cost_per_token: 0.001, output_cost_per_token: 0.001 };
    const layout = { queue_name: 'budgeted', queue_prefix: PREFIX };
    const groups = ['spend-a', 'spend-b'];
    const slots = await Promise.all(groups.map((g) => cluster.client().cluster('KEYSLOT', `{${g}}`)));
    expect(slots[0]).not.toBe(slots[1]);
    const budgeted = await spawnWorkers({
      configPath: writeTempConfig({
        model_list: groups.map((g) => openaiDeployment(fake, g, `${g}-1`, prices)),
        router_settings: {
          num_retries: 0,
          provider_budget_config: { openai: { budget_limit: 0.02, time_period: '1d' } },
        },
        switchyard_settings: layout,
      }),
      redisUrl: cluster.url,
      count: 1,
    });
    const budgetClient = new SwitchyardClient({
      redisUrl: cluster.url,
      queueName: 'budgeted',
      prefix: PREFIX,
    });
    try {
      const outcomes = [];
      for (let i = 0; i < 6; i++) {
        outcomes.push(await budgetClient.completion(chat(groups[i % 2]!)).catch((err: Error) => err));
      }
      expect(outcomes.slice(0, 4).every((o) => !(o instanceof Error))).toBe(true);
      for (const refused of outcomes.slice(4)) {
        expect(refused).toBeInstanceOf(CompletionError);
        expect((refused as CompletionError).type).toBe('BudgetExceededError');
        expect((refused as CompletionError).message).toContain('provider budget "openai"');
      }
    } finally {
      await budgetClient.close();
      await stopWorkers(budgeted);
    }
  });

  it('loses and repeats no job when the queue master fails over mid-batch', async () => {
    // 300 calls of 100 ms over 40 slots: about a second of work on each side of the failover.
    const JOBS = 300;
    const events = new QueueEvents('switchyard', { connection: cluster.client(), prefix: PREFIX });
    const completed = new Map<string, number>();
    events.on('completed', ({ jobId }) => completed.set(jobId, (completed.get(jobId) ?? 0) + 1));
    events.on('error', () => {});
    await events.waitUntilReady();
    fake.reset();
    try {
      const ids = await client.enqueueBatch(
        Array.from({ length: JOBS }, (_, i) => ({ body: chat('slow', `failover ${i}`) })),
      );
      await waitFor(() => completed.size >= 20, 20_000, '20 jobs done before the failover');
      const moved = await cluster.failover(`${PREFIX}:switchyard:wait`);
      expect(moved.from).not.toBe(moved.to);
      // The failover happened mid-batch: jobs were still to run on the promoted master.
      expect(completed.size).toBeLessThan(JOBS);
      const results = await Promise.all(ids.map((id) => client.result(id)));
      expect(results.every((r) => r?.routing.modelGroup === 'slow')).toBe(true);
      expect([...completed.values()].filter((n) => n !== 1)).toEqual([]);
      const counts = await client.queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed');
      expect(counts).toMatchObject({ failed: 0, active: 0, wait: 0, delayed: 0 });
      // One provider call per job: nothing ran twice across the failover.
      const calls = new Map<string, number>();
      for (const r of fake.requests) {
        const content = (r.body as { messages?: { content: string }[] }).messages?.[0]?.content ?? '';
        if (content.startsWith('failover ')) calls.set(content, (calls.get(content) ?? 0) + 1);
      }
      expect(calls.size).toBe(JOBS);
      expect([...calls.values()].filter((n) => n !== 1)).toEqual([]);
    } finally {
      await events.close();
    }
  });
});
