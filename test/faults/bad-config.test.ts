// Injects: broken configuration files given to `switchyard worker --config <file>`.
// "Nothing lost" here means nothing silently wrong: each broken config stops the worker before it
// takes a job — a non-zero exit whose message names the offending field path — while a valid
// config next to them starts (so a config wrongly accepted would show up as a worker that starts).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startRedis, type TestRedis, writeTempConfig } from '@switchyard/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

const CLI = resolve(import.meta.dirname, '../../packages/cli/src/main.ts');
const UNSET_VAR = 'SWITCHYARD_FAULTS_NEVER_SET';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

interface Run {
  code: number | string;
  output: string;
}

/** Runs the worker command; a worker that gets as far as "worker ready" is stopped and reported. */
function runWorker(config: string | object): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redis.url, LOG_LEVEL: 'info' };
  delete env[UNSET_VAR];
  const child = spawn(process.execPath, [CLI, 'worker', '--config', writeTempConfig(config)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stopping = false;
  const collect = (d: Buffer) => {
    output += d.toString();
    if (!stopping && output.includes('worker ready')) {
      stopping = true;
      child.kill('SIGTERM');
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((res) =>
    child.on('exit', (code, signal) => res({ code: code ?? signal ?? -1, output })),
  );
}

const deployment = (params: object = {}) => ({
  model_name: 'gpt',
  litellm_params: { model: 'openai/gpt-4o', api_key: 'sk-x', ...params },
});

const BROKEN: {
  label: string;
  config: string | object;
  /** The field path (or, for YAML syntax, the position) the message must name. */
  path: string | RegExp;
  mentions?: string;
}[] = [
  {
    label: 'missing model',
    config: { model_list: [{ model_name: 'gpt', litellm_params: { api_key: 'sk-x' } }] },
    path: 'model_list[0].litellm_params.model',
  },
  {
    label: 'unknown provider prefix',
    config: { model_list: [deployment({ model: 'nosuchprovider/gpt-4o' })] },
    path: 'model_list[0].litellm_params.model',
    mentions: 'nosuchprovider',
  },
  {
    label: 'negative rpm',
    config: { model_list: [deployment(), deployment({ rpm: -5 })] },
    path: 'model_list[1].litellm_params.rpm',
  },
  {
    label: 'wrong type in router_settings',
    config: { model_list: [deployment()], router_settings: { num_retries: 'three' } },
    path: 'router_settings.num_retries',
  },
  {
    label: 'custom routing strategy without its module',
    config: { model_list: [deployment()], router_settings: { routing_strategy: 'custom' } },
    path: 'router_settings.routing_strategy',
    mentions: 'custom_routing_strategy',
  },
  {
    label: 'unset os.environ/ variable',
    config: { model_list: [deployment({ api_key: `os.environ/${UNSET_VAR}` })] },
    path: 'model_list[0].litellm_params.api_key',
    mentions: UNSET_VAR,
  },
  {
    label: 'unknown retry_policy key',
    config: { model_list: [deployment()], router_settings: { retry_policy: { FooErrorRetries: 2 } } },
    path: 'router_settings.retry_policy',
    mentions: 'FooErrorRetries',
  },
  {
    label: 'model_list is not a list',
    config: { model_list: { model_name: 'gpt' } },
    path: 'model_list',
  },
  {
    label: 'bad YAML syntax',
    config:
      'model_list:\n  - model_name: gpt\n    litellm_params: {model: openai/gpt-4o, api_key: [unclosed\n',
    path: /line \d+, column \d+/,
  },
];

it('refuses each broken config with a non-zero exit that names the offending path', async () => {
  // Two at a time: each run is a Node process on a 2-core machine shared with other suites.
  const runs: Run[] = [];
  for (let i = 0; i < BROKEN.length; i += 2) {
    runs.push(...(await Promise.all(BROKEN.slice(i, i + 2).map((b) => runWorker(b.config)))));
  }
  for (const [i, b] of BROKEN.entries()) {
    const run = runs[i]!;
    expect(run.output, b.label).not.toContain('worker ready');
    expect(run.code, `${b.label}:\n${run.output}`).toSatisfy((c) => typeof c === 'number' && c !== 0);
    expect(run.output, b.label).toMatch(b.path);
    if (b.mentions) expect(run.output, b.label).toContain(b.mentions);
    expect(run.output, b.label).not.toMatch(/^\s+at /m); // a message, not a stack trace
  }
  // One Node start per broken config: ~20 s on a quiet 2-core machine, ~50 s under load.
}, 180_000);

it('starts on a valid config (the control: acceptance is detectable)', async () => {
  const run = await runWorker({ model_list: [deployment()] });
  expect(run.output).toContain('worker ready');
  expect(run.code, run.output).toBe(0);
});
