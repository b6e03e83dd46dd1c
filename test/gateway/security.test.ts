// The gateway's trust boundary: callers are untrusted. Each guard is tried from outside, over HTTP.
import { type RunningGateway, startGateway } from '@switchyard/gateway';
import { startRedis } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openaiDeployment, type Stack, startStack } from '../integration/harness.ts';

let stack: Stack;
let gateway: RunningGateway;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({
      model_list: [openaiDeployment(fake, 'gpt', 'gpt-a'), openaiDeployment(fake, 'slow', 'slow-1')],
    }),
    fake: { rules: [{ match: { model: 'slow-1' }, latencyMs: 2_000 }] },
    workers: 1,
  });
  gateway = await startGateway({
    port: 0,
    redisUrl: stack.redis.url,
    apiKeys: ['sk-team-a', 'sk-team-b'],
    masterKey: 'sk-master',
    maxWaiting: 2,
  });
});

afterAll(async () => {
  await gateway?.close();
  await stack?.stop();
});

const hello = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] });

function post(path: string, key: string, body: string, init: RequestInit = {}) {
  return fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
    ...init,
  });
}

const getJob = (id: string, key: string) =>
  fetch(`${gateway.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${key}` } });

describe('job lookup by id', () => {
  it('answers only the key that created the job (and the master key); others get 404', async () => {
    const res = await post('/v1/chat/completions', 'sk-team-a', hello('gpt'));
    expect(res.status).toBe(200);
    const id = res.headers.get('x-switchyard-job-id')!;
    expect((await getJob(id, 'sk-team-a')).status).toBe(200);
    expect((await getJob(id, 'sk-master')).status).toBe(200);
    const other = await getJob(id, 'sk-team-b');
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain('hello');
  });
});

describe('request bodies', () => {
  it('must be application/json (415 otherwise)', async () => {
    const res = await post('/v1/chat/completions', 'sk-team-a', hello('gpt'), {
      headers: { authorization: 'Bearer sk-team-a', 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    const json = await post('/v1/chat/completions', 'sk-team-a', hello('gpt'), {
      headers: { authorization: 'Bearer sk-team-a', 'content-type': 'application/json; charset=utf-8' },
    });
    expect(json.status).toBe(200);
  });
});

describe('waiting callers', () => {
  it('a caller that disconnects frees its waiter', async () => {
    const abort = new AbortController();
    const request = post('/v1/chat/completions', 'sk-team-a', hello('slow'), { signal: abort.signal });
    await expect.poll(() => gateway.client.waiting).toBe(1);
    abort.abort();
    await request.catch(() => {});
    await expect.poll(() => gateway.client.waiting, { timeout: 2_000 }).toBe(0);
  });

  it('more waiting requests than maxWaiting are answered 503 at once', async () => {
    const slow = [
      post('/v1/chat/completions', 'sk-team-a', hello('slow')),
      post('/v1/chat/completions', 'sk-team-b', hello('slow')),
    ];
    await expect.poll(() => gateway.client.waiting).toBe(2);
    const third = await post('/v1/chat/completions', 'sk-team-a', hello('gpt'));
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200]);
  });
});

describe('with Redis unreachable', () => {
  it('neither readiness nor errors show internal hosts or raw Redis errors', async () => {
    const redis = await startRedis();
    const lonely = await startGateway({ port: 0, redisUrl: redis.url, readinessTimeoutMs: 500 });
    try {
      await redis.stop();
      const ready = await fetch(`${lonely.url}/health/readiness`);
      expect(ready.status).toBe(503);
      const readyText = await ready.text();
      const call = await fetch(`${lonely.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: hello('gpt'),
      });
      expect(call.status).toBe(503);
      const callText = await call.text();
      for (const text of [readyText, callText]) {
        expect(text).not.toContain(String(redis.port));
        expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|Connection is closed/);
      }
    } finally {
      await lonely.close();
    }
  });
});
