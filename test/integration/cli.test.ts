// The commands a newcomer runs first: the demo, status and the standalone fake provider.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from './harness.ts';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/cli/src/main.ts');

function run(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  return new Promise<{ code: number | null; out: string }>((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, out });
    });
  });
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'status-group', 'status-a', { rpm: 100 }),
        openaiDeployment(fake, 'status-group', 'status-b', { rpm: 100 }),
      ],
    }),
    workers: 1,
  });
});

afterAll(async () => {
  await stack?.stop();
});

it('demo routes its jobs through worker processes, prints the table and exits 0', async () => {
  const { code, out } = await run(['demo', '--jobs', '60'], { REDIS_URL: '' });
  expect(code).toBe(0);
  expect(out).toMatch(/openai-primary/);
  expect(out).toMatch(/azure-eu/);
  expect(out).toMatch(/60\/60 jobs completed/);
});

it('status shows every deployment with its usage from Redis', async () => {
  await Promise.all(Array.from({ length: 6 }, () => stack.client.completion(chat('status-group'))));
  const { code, out } = await run(['status', '--config', stack.configPath], { REDIS_URL: stack.redis.url });
  expect(code).toBe(0);
  expect(out).toContain('status-a');
  expect(out).toContain('status-b');
  // Six requests landed in the current window, split over the two deployments.
  const used = [...out.matchAll(/(\d+)\/100/g)].map((m) => Number(m[1]));
  expect(used.reduce((a, b) => a + b, 0)).toBe(6);
});

it('mock-provider serves OpenAI requests until SIGTERM', async () => {
  const child = spawn(process.execPath, [CLI, 'mock-provider', '--port', '0', '--latency', '1']);
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const deadline = Date.now() + 10_000;
  while (!/listening on (\S+)/.test(out) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const url = /listening on (\S+)/.exec(out)?.[1];
  expect(url).toBeDefined();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(chat('gpt-4o-mini', 'ping')),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { object: string }).object).toBe('chat.completion');
  child.kill('SIGTERM');
  expect(await new Promise((r) => child.on('exit', r))).toBe(0);
});
