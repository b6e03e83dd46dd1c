// `switchyard worker --health-port`: 200 while the worker can take jobs, 503 while Redis is away, and
// 200 again once Redis is back — the probe a supervisor uses (the process itself is not restarted).
import {
  healthUrl,
  spawnWorker,
  startRedis,
  stopWorkers,
  waitForOutput,
  writeTempConfig,
} from '@switchyard/testkit';
import { expect, it } from 'vitest';

async function probe(url: string): Promise<{ status: number; body: { status: string } }> {
  const res = await fetch(`${url}/health`);
  return { status: res.status, body: (await res.json()) as { status: string } };
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('reports ready, then 503 while Redis is down, then ready again without a restart', async () => {
  const redis = await startRedis({ appendonly: true });
  const configPath = writeTempConfig({
    model_list: [
      { model_name: 'g', litellm_params: { model: 'openai/m', api_base: 'http://127.0.0.1:9/v1' } },
    ],
  });
  const worker = spawnWorker({ configPath, redisUrl: redis.url, args: ['--health-port', '0'] });
  try {
    await waitForOutput(worker, 'health endpoint listening');
    const url = healthUrl(worker);
    expect(await probe(url)).toMatchObject({ status: 200, body: { status: 'ok' } });

    redis.kill('SIGKILL');
    await eventually(async () => (await probe(url)).status === 503);
    expect((await probe(url)).body.status).toBe('redis-unavailable');

    await redis.restart();
    await eventually(async () => (await probe(url)).status === 200);
    const pid = worker.child.pid;
    expect(worker.child.exitCode).toBeNull();
    // On failure the message carries the worker's last log lines.
    expect(await stopWorkers([worker]), worker.output().slice(-4000)).toEqual([0]);
    expect(worker.child.pid).toBe(pid);
  } finally {
    if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await redis.stop();
  }
});
