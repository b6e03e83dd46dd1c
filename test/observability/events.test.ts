// Job-outcome events with real processes: a worker writes every outcome (success, failure, fallback,
// cooldown) as a LiteLLM StandardLoggingPayload to the capped Redis Stream and to the config's sinks — a
// module (logSuccessEvent / logFailureEvent), LiteLLM's generic_api webhook (retried), and a sink that
// never answers, whose drops are counted while every job still finishes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventsStreamKey, type OutcomeEvent, type StandardLoggingPayload } from '@switchyard/core';
import { healthUrl, type WorkerProcess } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from '../integration/harness.ts';
import { scrape, sum } from './prometheus-text.ts';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/cli/src/main.ts');
const EVENT_COUNT = 8;

let stack: Stack;
let worker!: WorkerProcess;
let hook: Server;
const posts: { status: number; token: string | undefined; body: StandardLoggingPayload[] }[] = [];
let logFile: string;
let events: OutcomeEvent[];

async function eventually<T>(check: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out waiting for ${what}\n${worker.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function collect(iterator: AsyncGenerator<OutcomeEvent>, count: number): Promise<OutcomeEvent[]> {
  const out: OutcomeEvent[] = [];
  for await (const event of iterator) {
    out.push(event);
    if (out.length === count) break;
  }
  return out;
}

beforeAll(async () => {
  // generic_api: the first POST fails with a 500, later ones succeed.
  hook = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => {
      text += d.toString();
    });
    req.on('end', () => {
      const status = posts.length === 0 ? 500 : 200;
      posts.push({ status, token: req.headers['x-token'] as string | undefined, body: JSON.parse(text) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  logFile = join(mkdtempSync(join(tmpdir(), 'switchyard-events-')), 'events.jsonl');
  writeFileSync(logFile, '');

  stack = await startStack({
    fake: {
      rules: [
        { match: { model: 'bad-a' }, fault: { kind: 'error', status: 500 } },
        { match: { model: 'refuses-1' }, fault: { kind: 'error', status: 400 } },
      ],
    },
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'primary', 'bad-a'),
        openaiDeployment(fake, 'backup', 'good-b'),
        openaiDeployment(fake, 'refusing', 'refuses-1'),
      ],
      router_settings: {
        num_retries: 0,
        allowed_fails: 0,
        cooldown_time: 60,
        fallbacks: [{ primary: ['backup'] }],
      },
      litellm_settings: {
        success_callback: ['prometheus', './logger.mjs', 'generic_api', './never-answers.mjs'],
        failure_callback: ['./logger.mjs', 'langfuse'],
      },
      switchyard_settings: { events: true, callback_buffer_size: 2 },
    }),
    // The sink modules, named relative to the config.
    files: {
      'logger.mjs': `import { appendFileSync } from 'node:fs';
export function logSuccessEvent(p) { appendFileSync(process.env.EVENTS_LOG_FILE, JSON.stringify({ kind: 'success', p }) + '\\n'); }
export function logFailureEvent(p) { appendFileSync(process.env.EVENTS_LOG_FILE, JSON.stringify({ kind: 'failure', p }) + '\\n'); }
`,
      'never-answers.mjs': 'export default { logSuccessEvent: () => new Promise(() => {}) };\n',
    },
    workers: 1,
    workerArgs: ['--health-port', '0'],
    env: {
      EVENTS_LOG_FILE: logFile,
      GENERIC_LOGGER_ENDPOINT: hookUrl,
      GENERIC_LOGGER_HEADERS: 'x-token=abc',
    },
  });
  worker = stack.workers[0]!;
  const { client } = stack;

  // One at a time, so no healthy sink ever holds more than the 2 events its buffer allows.
  await client.completion(chat('backup'));
  await eventually(() => (posts.some((p) => p.status === 200) ? true : undefined), 'the webhook retry');
  expect((await client.completion(chat('primary'))).routing.modelGroup).toBe('backup');
  await expect(client.completion(chat('refusing'))).rejects.toMatchObject({ type: 'BadRequestError' });
  for (let i = 0; i < 3; i++)
    await client.completion(chat('backup'), { metadata: { team: 'search', run: 7 } });
  events = await collect(client.events({ from: '0' }), EVENT_COUNT);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  hook?.close();
});

describe('the event stream', () => {
  it('holds one event per outcome, in order, as StandardLoggingPayload', () => {
    expect(events.map((e) => e.type)).toEqual([
      'success',
      'cooldown',
      'fallback',
      'success',
      'failure',
      'success',
      'success',
      'success',
    ]);
    const [first, cooldown, fallback, rescued, failure, tagged] = events.map((e) => e.payload);
    expect(first).toMatchObject({
      status: 'success',
      call_type: 'acompletion',
      model: 'good-b',
      model_id: 'good-b',
      model_group: 'backup',
      requested_model: 'backup',
      custom_llm_provider: 'openai',
      api_base: `${stack.fake.url}/v1`,
      fallback_triggered: false,
      error_information: null,
    });
    expect(first!.prompt_tokens).toBeGreaterThan(0);
    expect(first!.total_tokens).toBe(first!.prompt_tokens + first!.completion_tokens);
    expect(first!.endTime).toBeGreaterThanOrEqual(first!.startTime);
    expect(cooldown).toMatchObject({
      status: 'failure',
      model_id: 'bad-a',
      error_information: { error_class: 'InternalServerError', error_code: '500' },
    });
    expect(cooldown!.hidden_params.cooldown_until! * 1).toBeGreaterThan(Date.now() + 30_000);
    expect(fallback).toMatchObject({
      model_group: 'primary',
      fallback_triggered: true,
      hidden_params: { next_model_group: 'backup' },
    });
    expect(rescued).toMatchObject({
      requested_model: 'primary',
      model_group: 'backup',
      fallback_triggered: true,
    });
    expect(new Set([cooldown!.trace_id, fallback!.trace_id, rescued!.trace_id]).size).toBe(1);
    expect(failure).toMatchObject({
      status: 'failure',
      requested_model: 'refusing',
      error_information: { error_class: 'BadRequestError', error_code: '400' },
    });
    expect(failure!.error_str).toMatch(/^BadRequestError: /);
    expect(tagged).toMatchObject({ request_tags: [], metadata: { team: 'search', run: 7 } });
  });

  it('never carries a key', () => {
    expect(JSON.stringify(events)).not.toContain('sk-test-secret');
  });

  it('is readable by a consumer group, which acknowledges what it read', async () => {
    const read = await collect(stack.client.events({ from: '0', group: 'billing' }), EVENT_COUNT);
    expect(read.map((e) => e.id)).toEqual(events.map((e) => e.id));
    const r = stack.redis.client();
    try {
      const pending = (await r.xpending(eventsStreamKey({}), 'billing')) as [number, ...unknown[]];
      expect(pending[0]).toBe(0);
    } finally {
      r.disconnect();
    }
  });

  it('`switchyard events tail --from-start` prints them as JSON lines', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'events', 'tail', '--from-start', '--count', String(EVENT_COUNT)],
      {
        env: { ...process.env, REDIS_URL: stack.redis.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { stream_id: string; type: string; model_group: string });
    expect(lines.map((l) => l.stream_id)).toEqual(events.map((e) => e.id));
    expect(lines[1]).toMatchObject({ type: 'cooldown', model_group: 'primary' });
  });
});

describe('callback sinks', () => {
  it('a module gets logSuccessEvent for successes and logFailureEvent for failures, fallbacks and cooldowns', async () => {
    const lines = await eventually(() => {
      const text = readFileSync(logFile, 'utf8').trim();
      const parsed = text
        ? text.split('\n').map((l) => JSON.parse(l) as { kind: string; p: StandardLoggingPayload })
        : [];
      return parsed.length >= EVENT_COUNT ? parsed : undefined;
    }, 'the module sink');
    expect(lines.map((l) => l.p.id)).toEqual(events.map((e) => e.payload.id));
    expect(lines.map((l) => l.kind)).toEqual(
      events.map((e) => (e.type === 'success' ? 'success' : 'failure')),
    );
  });

  it('generic_api gets the success events as JSON POSTs, retried after a 500, with its headers', async () => {
    const successes = events.filter((e) => e.type === 'success').map((e) => e.payload.id);
    const delivered = await eventually(() => {
      const ids = posts.filter((p) => p.status === 200).flatMap((p) => p.body.map((x) => x.id));
      return ids.length >= successes.length ? ids : undefined;
    }, 'the webhook');
    expect(delivered).toEqual(successes);
    expect(posts[0]!.status).toBe(500);
    expect(posts[1]!.body.map((x) => x.id)).toEqual(posts[0]!.body.map((x) => x.id));
    expect(posts.every((p) => p.token === 'abc')).toBe(true);
  });

  it('a sink that never answers delays no job; what it cannot hold is dropped and counted', async () => {
    // 5 successes: one in its never-ending delivery, two in its buffer of 2, two dropped.
    const scraped = await scrape(`${healthUrl(worker)}/metrics`);
    expect(
      sum([scraped], 'litellm_callback_logging_failures_metric_total', {
        callback_name: 'never-answers.mjs',
      }),
    ).toBe(2);
    expect(
      sum([scraped], 'litellm_callback_logging_failures_metric_total', { callback_name: 'logger.mjs' }),
    ).toBe(0);
  });

  it('names the callbacks it cannot run in the start-up warning', () => {
    expect(worker.output()).toContain('callback "langfuse" is not supported');
    expect(worker.output()).not.toContain('callback "generic_api"');
  });
});
