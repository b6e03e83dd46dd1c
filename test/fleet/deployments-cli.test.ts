// `switchyard deployments …` changes the model list a running worker follows.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTempConfig } from '@switchyard/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from '../integration/harness.ts';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/cli/src/main.ts');
let stack: Stack;

function run(args: string[]) {
  return new Promise<{ code: number | null; out: string }>((res) => {
    const env = { ...process.env, REDIS_URL: stack.redis.url, SWITCHYARD_SALT_KEY: '' };
    const child = spawn(process.execPath, [CLI, 'deployments', ...args, '--config', stack.configPath], {
      env,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => res({ code, out }));
  });
}

async function served(group: string) {
  const started = Date.now();
  for (;;) {
    try {
      return await stack.client.completion(chat(group));
    } catch (err) {
      if (Date.now() - started > 2_000) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({ model_list: [openaiDeployment(fake, 'gpt', 'gpt-a')] }),
    workers: 1,
    env: { CLI_TEST_KEY: 'sk-cli-key' },
  });
});

afterAll(async () => {
  await stack?.stop();
});

it('add, list, delete and set reach the running worker; bad input exits 1 naming the field', async () => {
  const entry = {
    model_name: 'cli-group',
    litellm_params: {
      model: 'openai/cli-model',
      api_base: `${stack.fake.url}/v1`,
      api_key: 'os.environ/CLI_TEST_KEY',
    },
    model_info: { id: 'cli-1' },
  };
  const added = await run(['add', JSON.stringify(entry)]);
  expect(added.out).toMatch(/added; model list version \d+/);
  expect(added.code, added.out).toBe(0);
  expect((await served('cli-group')).routing?.deploymentId).toBe('cli-1');

  const list = await run(['list']);
  expect(list.code).toBe(0);
  expect(list.out).toContain('cli-1');
  expect(list.out).toContain('os.environ/CLI_TEST_KEY');
  expect(list.out).not.toContain('sk-test-secret');

  const raw = await run([
    'add',
    JSON.stringify({
      ...entry,
      model_info: { id: 'cli-2' },
      litellm_params: { ...entry.litellm_params, api_key: 'sk-raw' },
    }),
  ]);
  expect(raw.code).toBe(1);
  expect(raw.out).toMatch(/litellm_params\.api_key: .*SWITCHYARD_SALT_KEY/);

  expect((await run(['delete', 'cli-1'])).code).toBe(0);
  await expect
    .poll(
      () =>
        stack.client.completion(chat('cli-group')).then(
          () => 'served',
          (e: Error) => e.message,
        ),
      { timeout: 2_000 },
    )
    .toMatch(/not configured/);

  const other = writeTempConfig({
    model_list: [{ ...entry, model_name: 'set-group', model_info: { id: 'set-1' } }],
  });
  const set = await run(['set', other]);
  expect(set.code, set.out).toBe(0);
  expect((await served('set-group')).routing?.deploymentId).toBe('set-1');
  await expect(stack.client.completion(chat('gpt'))).rejects.toThrow(/not configured/);
});
