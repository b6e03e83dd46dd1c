// `switchyard demo`: everything in one command — embedded Redis, fake providers (one flaky), worker
// processes, a few hundred jobs with a live progress bar, then a per-deployment table. Cleans up after itself.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { loadConfigFile } from '@switchyard/core';
import { type RunningGateway, startGateway } from '@switchyard/gateway';
import { type FakeProvider, type LocalStack, startLocalStack } from '@switchyard/testkit';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import { summarise } from '../deployment-summary.ts';

/** One demo deployment: the fake that plays it, its provider prefix, and its price per token. */
function deployment(
  group: string,
  id: string,
  litellm: Record<string, unknown>,
  prices: [input: number, output: number],
) {
  return {
    model_name: group,
    litellm_params: litellm,
    model_info: { id, input_cost_per_token: prices[0], output_cost_per_token: prices[1] },
  };
}

export function demoConfig([openai, azure, flaky, claude]: readonly FakeProvider[]) {
  const mini = (fake: FakeProvider, key: string) => ({
    model: 'openai/gpt-4o-mini',
    api_base: `${fake.url}/v1`,
    api_key: key,
    rpm: 3000,
  });
  return {
    model_list: [
      deployment('gpt-4o-mini', 'openai-primary', mini(openai!, 'sk-demo-openai'), [1.5e-7, 6e-7]),
      deployment(
        'gpt-4o-mini',
        'azure-eu',
        { model: 'azure/gpt-4o-mini', api_base: azure!.url, api_key: 'demo-azure-key', rpm: 3000 },
        [1.65e-7, 6.6e-7],
      ),
      deployment('gpt-4o-mini', 'openai-flaky', mini(flaky!, 'sk-demo-flaky'), [1.5e-7, 6e-7]),
      deployment(
        'claude-haiku',
        'anthropic-haiku',
        { model: 'anthropic/claude-3-5-haiku-latest', api_base: claude!.url, api_key: 'demo-anthropic' },
        [8e-7, 4e-6],
      ),
    ],
    router_settings: {
      routing_strategy: 'simple-shuffle',
      num_retries: 2,
      allowed_fails: 2,
      cooldown_time: 2,
      fallbacks: [{ 'gpt-4o-mini': ['claude-haiku'] }],
    },
    // The dashboard's latency, success rate, cost, traffic share and failures come from the event stream.
    switchyard_settings: { events: true },
  };
}

export async function runDemo(opts: { jobs: number; workers: number; keepOpen?: boolean }): Promise<void> {
  const started = Date.now();
  let stack: LocalStack | undefined;
  let gateway: RunningGateway | undefined;
  try {
    process.stdout.write('Starting Redis, four fake provider deployments and worker processes…\n');
    const latencyMs: [number, number] = [100, 400];
    stack = await startLocalStack({
      fakes: [
        { name: 'openai', latencyMs },
        { name: 'azure', latencyMs },
        { name: 'flaky', latencyMs, failRate: 0.35, failStatus: 503 },
        { name: 'anthropic', latencyMs },
      ],
      config: demoConfig,
      workers: opts.workers,
      concurrency: 10,
      timeoutMs: 60_000,
    });
    const { client, workers } = stack;
    process.stdout.write(
      `${workers.length} workers ready (pids ${workers.map((w) => w.child.pid).join(', ')}).\n`,
    );
    // A one-off read-only key: the link signs the browser in (a fragment never reaches a server log).
    const viewKey = randomBytes(16).toString('hex');
    gateway = await startGateway({
      port: 0,
      redisUrl: stack.redis.url,
      config: loadConfigFile(stack.configPath),
      readOnlyKeys: [viewKey],
    });
    process.stdout.write(`Live dashboard: ${gateway.url}/ui#key=${viewKey}\n`);
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
    const results = await Promise.all(
      ids.map(async (id) => {
        try {
          const r = await client.result(id, { timeoutMs: 60_000 });
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
    if (opts.keepOpen) {
      process.stdout.write(
        `The dashboard stays open at ${gateway.url}/ui#key=${viewKey} — Ctrl-C to stop.\n`,
      );
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    }
  } finally {
    await gateway?.close();
    await stack?.stop();
  }
}
