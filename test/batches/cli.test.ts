// `switchyard batch submit|status|cancel|results` as a user runs them: child processes against a real
// worker process and Redis.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openaiDeployment, type Stack, startStack } from '../integration/harness.ts';
import { chatLine } from './support.ts';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/cli/src/main.ts');

let stack: Stack;
let dir: string;

function run(args: string[]) {
  return new Promise<{ code: number | null; out: string; err: string }>((res) => {
    const child = spawn(process.execPath, [CLI, 'batch', ...args], {
      env: { ...process.env, REDIS_URL: stack.redis.url },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, out, err });
    });
  });
}

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
