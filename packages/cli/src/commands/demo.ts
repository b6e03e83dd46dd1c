// `switchyard demo`: everything in one command — embedded Redis, fake providers (one flaky), worker
// processes, a few hundred jobs with a live progress bar, then a per-deployment table. Cleans up after itself.
import { SwitchyardClient } from '@switchyard/client';
import {
  type FakeProvider,
  spawnWorkers,
  startFakeProvider,
  startRedis,
  stopWorkers,
  type TestRedis,
  type WorkerProcess,
  writeTempConfig,
} from '@switchyard/testkit';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import { summarise } from '../deployment-summary.ts';

export function demoConfig(
  openai: FakeProvider,
  azure: FakeProvider,
  flaky: FakeProvider,
  claude: FakeProvider,
) {
  return {
    model_list: [
      {
        model_name: 'gpt-4o-mini',
        litellm_params: {
          model: 'openai/gpt-4o-mini',
          api_base: `${openai.url}/v1`,
          api_key: 'sk-demo-openai',
          rpm: 3000,
        },
        model_info: { id: 'openai-primary', input_cost_per_token: 1.5e-7, output_cost_per_token: 6e-7 },
      },
      {
        model_name: 'gpt-4o-mini',
        litellm_params: {
          model: 'azure/gpt-4o-mini',
          api_base: azure.url,
          api_key: 'demo-azure-key',
          api_version: '2024-10-21',
          rpm: 3000,
        },
        model_info: { id: 'azure-eu', input_cost_per_token: 1.65e-7, output_cost_per_token: 6.6e-7 },
      },
      {
        model_name: 'gpt-4o-mini',
        litellm_params: {
          model: 'openai/gpt-4o-mini',
          api_base: `${flaky.url}/v1`,
          api_key: 'sk-demo-flaky',
          rpm: 3000,
        },
        model_info: { id: 'openai-flaky', input_cost_per_token: 1.5e-7, output_cost_per_token: 6e-7 },
      },
      {
        model_name: 'claude-haiku',
        litellm_params: {
          model: 'anthropic/claude-3-5-haiku-latest',
          api_base: claude.url,
          api_key: 'demo-anthropic',
        },
        model_info: { id: 'anthropic-haiku', input_cost_per_token: 8e-7, output_cost_per_token: 4e-6 },
      },
    ],
    router_settings: {
      routing_strategy: 'simple-shuffle',
      num_retries: 2,
      allowed_fails: 2,
      cooldown_time: 2,
      fallbacks: [{ 'gpt-4o-mini': ['claude-haiku'] }],
    },
  };
}

export async function runDemo(opts: { jobs: number; workers: number }): Promise<void> {
  const started = Date.now();
  let redis: TestRedis | undefined;
  let workers: WorkerProcess[] = [];
  const fakes: FakeProvider[] = [];
  let client: SwitchyardClient | undefined;
  try {
    process.stdout.write('Starting Redis, four fake provider deployments and worker processes…\n');
    redis = await startRedis();
    const latency: [number, number] = [20, 120];
    const openai = await startFakeProvider({ name: 'openai', latencyMs: latency });
    const azure = await startFakeProvider({ name: 'azure', latencyMs: latency });
    const flaky = await startFakeProvider({
      name: 'flaky',
      latencyMs: latency,
      failRate: 0.35,
      failStatus: 503,
    });
    const claude = await startFakeProvider({ name: 'anthropic', latencyMs: latency });
    fakes.push(openai, azure, flaky, claude);
    const configPath = writeTempConfig(demoConfig(openai, azure, flaky, claude));
    workers = await spawnWorkers({ configPath, redisUrl: redis.url, count: opts.workers, concurrency: 25 });
    process.stdout.write(
      `${workers.length} workers ready (pids ${workers.map((w) => w.child.pid).join(', ')}).\n`,
    );

    client = new SwitchyardClient({ redisUrl: redis.url });
    await client.ready();
    const ids = await client.enqueueBatch(
      Array.from({ length: opts.jobs }, (_, i) => ({
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Summarise document #${i}` }] },
      })),
    );
    const bar = new SingleBar({
      format: 'routing {bar} {value}/{total} jobs | {ok} ok, {failed} failed | {eta}s left',
      hideCursor: true,
    });
    bar.start(ids.length, 0, { ok: 0, failed: 0 });
    let ok = 0;
    let failed = 0;
    const c = client;
    const results = await Promise.all(
      ids.map(async (id) => {
        try {
          const r = await c.result(id, { timeoutMs: 60_000 });
          ok++;
          return { ok: true as const, routing: r!.routing };
        } catch (err) {
          failed++;
          return { ok: false as const, error: (err as Error).message };
        } finally {
          bar.increment(1, { ok, failed });
        }
      }),
    );
    bar.stop();

    const table = new Table({
      head: ['deployment', 'requests', 'ok', 'failed', 'p50 ms', 'p95 ms', 'cost USD'],
    });
    for (const row of summarise(results.flatMap((r) => (r.ok ? [r.routing] : [])))) {
      table.push([row.deploymentId, row.requests, row.ok, row.failed, row.p50, row.p95, row.cost.toFixed(6)]);
    }
    process.stdout.write(`${table.toString()}\n`);
    const retried = results.filter((r) => r.ok && r.routing.attempts.length > 1).length;
    process.stdout.write(
      `${ok}/${ids.length} jobs completed (${retried} after a retry or fallback), ${failed} failed, ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
    );
  } finally {
    await client?.close().catch(() => {});
    await stopWorkers(workers).catch(() => {});
    await Promise.all(fakes.map((f) => f.close().catch(() => {})));
    await redis?.stop().catch(() => {});
  }
}
