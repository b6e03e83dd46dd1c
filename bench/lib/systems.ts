// The two systems under test, started the same way: N worker processes on one queue, pointed at a fake.
// "switchyard" is the real `switchyard worker` CLI; "bare" is bench/bare-worker.ts (BullMQ + the same HTTP call).
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@switchyard/core';
import {
  spawnWorkers,
  stopWorkers,
  type WorkerProcess,
  waitForOutput,
  writeTempConfig,
} from '@switchyard/testkit';

export type SystemName = 'switchyard' | 'bare';

export interface SystemOptions {
  system: SystemName;
  redisUrl: string;
  queueName: string;
  workers: number;
  concurrency: number;
  /** LiteLLM-format config (switchyard) — the bare worker calls its first deployment's api_base. */
  config: BenchConfig;
  env?: Record<string, string>;
}

export interface BenchConfig {
  model_list: { model_name: string; litellm_params: Record<string, unknown>; model_info?: object }[];
  router_settings?: Record<string, unknown>;
  litellm_settings?: Record<string, unknown>;
  switchyard_settings?: Record<string, unknown>;
}

export interface RunningSystem {
  workers: WorkerProcess[];
  stop(): Promise<void>;
}

const BARE_WORKER = join(dirname(fileURLToPath(import.meta.url)), '../bare-worker.ts');

export async function startSystem(opts: SystemOptions): Promise<RunningSystem> {
  const workers =
    opts.system === 'switchyard'
      ? await spawnWorkers({
          configPath: writeTempConfig(opts.config),
          redisUrl: opts.redisUrl,
          queue: opts.queueName,
          count: opts.workers,
          concurrency: opts.concurrency,
          env: { LOG_LEVEL: 'info', ...opts.env },
        })
      : await spawnBare(opts);
  return {
    workers,
    async stop() {
      await stopWorkers(workers);
    },
  };
}

async function spawnBare(opts: SystemOptions): Promise<WorkerProcess[]> {
  const parsed = loadConfig(opts.config);
  const first = opts.config.model_list[0]!.litellm_params;
  const env = {
    ...process.env,
    ...opts.env,
    REDIS_URL: opts.redisUrl,
    QUEUE: opts.queueName,
    CONCURRENCY: String(opts.concurrency),
    TARGET_URL: `${String(first.api_base).replace(/\/+$/, '')}/chat/completions`,
    LOCK_MS: String(parsed.switchyard.lockDurationMs),
    RESULT_TTL_SEC: String(parsed.switchyard.resultTtlSec),
  };
  const workers = Array.from({ length: opts.workers }, () =>
    asWorkerProcess(spawn(process.execPath, [BARE_WORKER], { env, stdio: ['ignore', 'pipe', 'pipe'] })),
  );
  await Promise.all(workers.map((w) => waitForOutput(w, 'worker ready')));
  return workers;
}

function asWorkerProcess(child: ChildProcess): WorkerProcess {
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | string>((res) => {
    child.on('exit', (code, signal) => res(code ?? signal ?? -1));
  });
  return { child, output: () => out, exited };
}
