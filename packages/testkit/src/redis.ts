// Redis for tests, the demo and benchmarks (DESIGN.md "Redis for tests"): REDIS_URL, else a local
// redis-server on a free port, else a Testcontainers redis:7, else a clear message. Never mocked.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

export interface StartRedisOptions {
  /** Persist writes to an AOF file so `restart()` (or a kill + restart) keeps the data. */
  appendonly?: boolean;
  /** Require this password (`requirepass`); `url` then carries it. Not applied to a REDIS_URL server. */
  password?: string;
  /**
   * With `appendonly`: `always` fsyncs every write before Redis replies, so a SIGKILL loses nothing a
   * client was told succeeded. Redis's default `everysec` can lose the last second or two of writes
   * (a job taken just before the crash is then taken again after it: one duplicate provider call).
   */
  appendfsync?: 'always' | 'everysec';
}

export interface TestRedis {
  url: string;
  host: string;
  port: number;
  /** Final teardown: stops the server and removes its temp dir. */
  stop(): Promise<void>;
  /** Stops (if running) and starts again on the same port and dir, so AOF data survives. */
  restart(): Promise<void>;
  /** Sends a signal to the server (chaos tests); `restart()` brings it back. */
  kill(signal?: NodeJS.Signals): void;
  /** A new ioredis client; the caller must `quit()` it. */
  client(options?: RedisOptions): Redis;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const NO_REDIS_MESSAGE =
  'No Redis available for tests: install redis-server (e.g. `apt-get install redis-server`, ' +
  '`brew install redis`) so it is on PATH, start Docker for Testcontainers, or set REDIS_URL.';

/** A TCP port that was free on loopback a moment ago (callers retry if another process grabs it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(opts: StartRedisOptions = {}): Promise<TestRedis> {
  const url = process.env.REDIS_URL;
  if (url) return fromUrl(url);
  if (hasRedisServer()) return startLocal(opts);
  const container = await startContainer(opts).catch(() => undefined);
  if (container) return container;
  throw new Error(NO_REDIS_MESSAGE);
}

function fromUrl(url: string): TestRedis {
  const parsed = new URL(url);
  const unsupported = async (): Promise<never> => {
    throw new Error('not supported with REDIS_URL');
  };
  return {
    url,
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    stop: unsupported,
    restart: unsupported,
    kill: () => {
      throw new Error('not supported with REDIS_URL');
    },
    client: (options) => new Redis(url, options ?? {}),
  };
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function startLocal(opts: StartRedisOptions): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  const spawnOn = async (p: number): Promise<ChildProcess> => {
    const args = ['--port', String(p), '--bind', HOST, '--dir', dir, '--save', ''];
    args.push('--appendonly', opts.appendonly ? 'yes' : 'no', '--maxmemory-policy', 'noeviction');
    if (opts.password !== undefined) args.push('--requirepass', opts.password);
    if (opts.appendfsync) args.push('--appendfsync', opts.appendfsync);
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForPing(proc, p, opts.password);
    return proc;
  };
  // The free port can be taken between freePort() and bind: try a few.
  for (let attempt = 0; !child; attempt++) {
    port = await freePort();
    try {
      child = await spawnOn(port);
    } catch (err) {
      if (attempt >= 4) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
  // A test process that exits without stop() must not leave a server (or its dir) behind.
  const onExit = () => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  const shutdown = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM'); // redis flushes the AOF on SIGTERM
    await exited;
  };
  const url = withPassword(`redis://${HOST}:${port}`, opts.password);
  return {
    url,
    host: HOST,
    port,
    async stop() {
      await shutdown();
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await shutdown();
      child = await spawnOn(port);
    },
    kill(signal = 'SIGKILL') {
      child?.kill(signal);
    },
    client: (options) => new Redis(url, options ?? {}),
  };
}

function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.href.replace(/\/$/, '');
}

/** Resolves once the server answers PING; rejects with its output if it exits first or never answers. */
export function waitForPing(proc: ChildProcess, port: number, password?: string): Promise<void> {
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  proc.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let done = false;
    const fail = (why: string) => {
      if (done) return;
      done = true;
      proc.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} ${why}:\n${output}`));
    };
    proc.once('exit', (code) => fail(`exited with code ${code}`));
    const poll = () => {
      if (done) return;
      if (Date.now() > deadline) return fail('did not answer PING');
      ping(port, password).then(
        () => {
          done = true;
          resolve();
        },
        () => setTimeout(poll, 25),
      );
    };
    poll();
  });
}

function ping(port: number, password?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let reply = '';
    // With a password, AUTH answers first: wait for both replies, PONG last.
    const lines = password === undefined ? 1 : 2;
    socket.setTimeout(500, () => socket.destroy(new Error('timeout')));
    socket.on('connect', () => {
      if (password !== undefined) socket.write(`AUTH ${password}\r\n`);
      socket.write('PING\r\n');
    });
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.split('\r\n').length - 1 < lines) return;
      socket.end();
      if (reply.trimEnd().endsWith('+PONG')) resolve();
      else reject(new Error(reply));
    });
    socket.on('error', reject);
  });
}

async function startContainer(opts: StartRedisOptions): Promise<TestRedis | undefined> {
  const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');
  await getContainerRuntimeClient(); // throws when Docker is not reachable
  // A fixed host port so restart() keeps the same url.
  const port = await freePort();
  const container = await new GenericContainer('redis:7')
    .withExposedPorts({ container: 6379, host: port })
    .withCommand([
      'redis-server',
      '--save',
      '',
      '--appendonly',
      opts.appendonly ? 'yes' : 'no',
      '--maxmemory-policy',
      'noeviction',
      ...(opts.password === undefined ? [] : ['--requirepass', opts.password]),
      ...(opts.appendfsync ? ['--appendfsync', opts.appendfsync] : []),
    ])
    .start();
  const host = container.getHost();
  const url = withPassword(`redis://${host}:${port}`, opts.password);
  return {
    url,
    host,
    port,
    async stop() {
      await container.stop();
    },
    async restart() {
      await container.restart();
    },
    kill() {
      throw new Error('kill() is not supported with a Testcontainers Redis; use restart()');
    },
    client: (options) => new Redis(url, options ?? {}),
  };
}
