// `switchyard batch submit|status|cancel|results` as a user runs them: child processes against a real
// worker process and Redis; with --config, Redis and the queue come from the workers' config.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTempConfig } from '@switchyard/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openaiDeployment, type Stack, startStack } from '../integration/harness.ts';
import { chatLine, runCli } from './support.ts';

let stack: Stack;
let dir: string;

const run = (args: string[]) => runCli(['batch', ...args], { REDIS_URL: stack.redis.url });

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'gpt', 'gpt-a'),
        openaiDeployment(fake, 'trickle', 'trickle-1', { max_parallel_requests: 1 }),
      ],
    }),
    fake: { rules: [{ match: { model: 'trickle-1' }, latencyMs: 300 }] },
    workers: 1,
  });
  dir = mkdtempSync(join(tmpdir(), 'switchyard-batch-cli-'));
});

afterAll(async () => {
  await stack?.stop();
});

it('submit --model --wait runs the file to completion; status and results read it back', async () => {
  const input = join(dir, 'docs.jsonl');
  // Written for another model: --model puts every line on the `gpt` group.
  const lines = Array.from({ length: 6 }, (_, i) =>
    chatLine({ custom_id: `d${i}`, model: 'not-configured' }),
  );
  writeFileSync(input, `${[...lines, 'oops'].join('\n')}\n`);
  const submitted = await run(['submit', input, '--model', 'gpt', '--wait']);
  expect(submitted.code, submitted.err).toBe(0);
  const id = /batch_[0-9a-f]{24}/.exec(submitted.out)?.[0];
  expect(id).toBeDefined();
  expect(submitted.out).toContain(`${id} completed: 6 done, 1 failed of 7`);
  expect(submitted.err).toMatch(/batch .*\d+\/7/);

  const status = await run(['status', id!]);
  expect(JSON.parse(status.out)).toMatchObject({
    id,
    status: 'completed',
    request_counts: { total: 7, completed: 6, failed: 1 },
  });

  const out = join(dir, 'out.jsonl');
  const errors = join(dir, 'errors.jsonl');
  const results = await run(['results', id!, '-o', out, '--errors', errors]);
  expect(results.code, results.err).toBe(0);
  const output = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(output.map((l) => l.custom_id)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5']);
  expect(output[0].response.body.routing.deploymentId).toBe('gpt-a');
  const failed = JSON.parse(readFileSync(errors, 'utf8').trim());
  expect(failed).toMatchObject({ custom_id: null, error: { code: 'invalid_json_line', line: 7 } });
});

it('cancel stops a running batch; results of an unknown batch is a clear error', async () => {
  const input = join(dir, 'slow.jsonl');
  writeFileSync(
    input,
    Array.from({ length: 20 }, (_, i) => chatLine({ custom_id: `s${i}`, model: 'trickle' })).join('\n'),
  );
  const submitted = await run(['submit', input]);
  expect(submitted.code, submitted.err).toBe(0);
  const id = /batch_[0-9a-f]{24}/.exec(submitted.out)![0];
  const cancelled = await run(['cancel', id]);
  expect(cancelled.code, cancelled.err).toBe(0);
  expect(cancelled.out).toMatch(new RegExp(`${id} (cancelling|cancelled)`));

  const missing = await run(['results', 'batch_000000000000000000000000']);
  expect(missing.code).toBe(1);
  expect(missing.err).toContain('no batch batch_000000000000000000000000');
});

it("--config: Redis and the queue from the workers' config, with no REDIS_URL", async () => {
  const workersConfig = JSON.parse(readFileSync(stack.configPath, 'utf8'));
  const configPath = writeTempConfig({
    ...workersConfig,
    router_settings: { ...workersConfig.router_settings, redis_url: stack.redis.url },
  });
  const input = join(dir, 'configured.jsonl');
  writeFileSync(input, ['c1', 'c2'].map((id) => chatLine({ custom_id: id, model: 'gpt' })).join('\n'));
  const noRedisEnv = { REDIS_URL: undefined, REDIS_CLUSTER_NODES: undefined };
  const submitted = await runCli(['batch', 'submit', input, '--wait', '--config', configPath], noRedisEnv);
  expect(submitted.code, submitted.err).toBe(0);
  expect(submitted.out).toMatch(/batch_[0-9a-f]{24} completed: 2 done, 0 failed of 2/);
});

it('a Redis Cluster without --config is refused in one line, not a stack trace', async () => {
  const refused = await runCli(['batch', 'status', 'batch_000000000000000000000000'], {
    REDIS_URL: undefined,
    REDIS_CLUSTER_NODES: '127.0.0.1:1',
  });
  expect(refused.code).toBe(2);
  expect(refused.err).toContain('switchyard_settings.queue_prefix');
  expect(refused.err).toContain('--config');
  expect(refused.err).not.toMatch(/^\s+at /m);
  expect(refused.err.trim().split('\n')).toHaveLength(1);
});
