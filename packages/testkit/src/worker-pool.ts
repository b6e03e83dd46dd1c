// Real worker processes (`switchyard worker`) for the demo, integration, chaos and benchmark suites, and the
// gateway as a process (`switchyard gateway`) for the suites that test what its command line sets up.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../cli/src/main.ts');
/** Shared by every spawned process; Node keys entries by file content, so an edited file is compiled again. */
const COMPILE_CACHE_DIR = join(tmpdir(), 'switchyard-node-compile-cache');

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** stdout + stderr so far (pino JSON lines). */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

export interface SpawnWorkersOptions {
  configPath: string;
  /** Passed as REDIS_URL; undefined starts the worker without REDIS_URL (Redis from the config). */
  redisUrl: string | undefined;
  count?: number;
  concurrency?: number;
  queue?: string;
  env?: Record<string, string>;
  /** Extra CLI arguments for `switchyard worker`. */
  args?: string[];
}

/**
 * Write a config object or YAML text to a temp file and return its path. `files` (name → text) are written
 * beside it, for what a config names by a path relative to itself (e.g. a callback module `./logger.mjs`).
 */
export function writeTempConfig(
  config: string | object,
  files: Readonly<Record<string, string>> = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-config-'));
  const path = join(dir, 'config.yaml');
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return path;
}

export function spawnWorker(opts: SpawnWorkersOptions): WorkerProcess {
  const args = ['worker', '--config', opts.configPath, '--concurrency', String(opts.concurrency ?? 20)];
  if (opts.queue) args.push('--queue', opts.queue);
  if (opts.args) args.push(...opts.args);
  return spawnCli(args, opts);
}

export interface GatewayProcess extends WorkerProcess {
  /** Where it listens (from its "gateway listening" log line). */
  readonly url: string;
}

/** `switchyard gateway --config FILE --port 0 [args]`; resolves once it listens (or fails with its output). */
export async function spawnGateway(
  opts: Omit<SpawnWorkersOptions, 'count' | 'concurrency'>,
  timeoutMs = START_TIMEOUT_MS,
): Promise<GatewayProcess> {
  const args = ['gateway', '--config', opts.configPath, '--port', '0'];
  if (opts.queue) args.push('--queue', opts.queue);
  if (opts.args) args.push(...opts.args);
  const gateway = spawnCli(args, opts);
  try {
    await waitForOutput(gateway, 'gateway listening', timeoutMs);
  } catch (err) {
    if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    throw err;
  }
  return { ...gateway, url: String(logField(gateway, 'gateway listening', 'url')) };
}

/** The `key` field of a process's first JSON log line that contains `text`; throws with its output if none. */
export function logField(w: WorkerProcess, text: string, key: string): unknown {
  const line = w
    .output()
    .split('\n')
    .find((l) => l.includes(text));
  if (!line) throw new Error(`no "${text}" line in:\n${w.output().slice(-2000)}`);
  return (JSON.parse(line) as Record<string, unknown>)[key];
}

/** Where a worker started with `--health-port 0` serves /health and /metrics (from its log line). */
export function healthUrl(w: WorkerProcess): string {
  return `http://127.0.0.1:${logField(w, 'health endpoint listening', 'port')}`;
}

function spawnCli(
  args: string[],
  opts: { redisUrl: string | undefined; env?: Record<string, string> | undefined },
): WorkerProcess {
  const env: NodeJS.ProcessEnv = {
    // Node's on-disk cache of compiled modules: the suite starts hundreds of processes that compile the same
    // ~900 modules, about a third of a start's CPU (measured); a loaded 2-core machine felt every one of them.
    NODE_COMPILE_CACHE: COMPILE_CACHE_DIR,
    ...process.env,
    LOG_LEVEL: 'info',
    ...opts.env,
    REDIS_URL: opts.redisUrl,
  };
  if (opts.redisUrl === undefined) delete env.REDIS_URL;
  const child = spawn(process.execPath, [CLI, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | string>((res) => {
    child.on('exit', (code, signal) => res(code ?? signal ?? -1));
  });
  return { child, output: () => out, exited };
}

// How long a test waits for a worker to start. Start-up speed is not what these tests assert: a start is
// ~1.5 s of CPU compiling ~900 modules (1 s with the compile cache), measured at 14-34 s of wall time at
// load 10-12 on 2 cores. Under vitest's hookTimeout (vitest.config.ts), so a slow start fails with the
// worker's own output rather than a bare hook timeout.
export const WORKER_START_TIMEOUT_MS = Number(process.env.SWITCHYARD_TEST_START_MS) || 50_000;
const START_TIMEOUT_MS = WORKER_START_TIMEOUT_MS;

/** Spawn `count` workers and wait until each logs "worker ready" (or fail with its output). */
export async function spawnWorkers(
  opts: SpawnWorkersOptions,
  timeoutMs = START_TIMEOUT_MS,
): Promise<WorkerProcess[]> {
  const workers = Array.from({ length: opts.count ?? 2 }, () => spawnWorker(opts));
  try {
    await Promise.all(workers.map((w) => waitForOutput(w, 'worker ready', timeoutMs)));
  } catch (err) {
    // The caller never gets these processes to stop: do not leave them running (on a loaded machine
    // a slow start used to leave workers reconnecting to a deleted Redis for the rest of the day).
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    throw err;
  }
  return workers;
}

export function waitForOutput(w: WorkerProcess, text: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((res, rej) => {
    const started = Date.now();
    const tick = setInterval(() => {
      if (w.output().includes(text)) {
        clearInterval(tick);
        res();
      } else if (w.child.exitCode !== null || Date.now() - started > timeoutMs) {
        clearInterval(tick);
        rej(
          new Error(
            `process did not print "${text}" (exit ${w.child.exitCode}):\n${w.output().slice(-3000)}`,
          ),
        );
      }
    }, 50);
  });
}

/** SIGTERM every worker and wait for them to exit; returns their exit codes. */
export async function stopWorkers(workers: readonly WorkerProcess[], signal: NodeJS.Signals = 'SIGTERM') {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill(signal);
  return Promise.all(workers.map((w) => w.exited));
}
