// The gateway's trust boundary: callers are untrusted. Each guard is tried from outside, over HTTP.
import { type RunningGateway, startGateway } from '@switchyard/gateway';
import { startRedis } from '@switchyard/testkit';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatLine, download, settle, upload } from '../batches/support.ts';
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

describe('methods', () => {
  it.each([
    ['POST', '/health', 'GET'],
    ['GET', '/v1/chat/completions', 'POST'],
    ['POST', '/v1/models', 'GET'],
    ['DELETE', '/v1/jobs/some-id', 'GET'],
    ['PUT', '/v1/files', 'GET, POST'],
    ['POST', '/v1/files/file-x', 'GET, DELETE'],
    ['DELETE', '/v1/files/file-x/content', 'GET'],
    ['DELETE', '/v1/batches', 'GET, POST'],
    ['POST', '/v1/batches/batch_x', 'GET'],
    ['GET', '/v1/batches/batch_x/cancel', 'POST'],
  ])('%s %s is 405 with Allow: %s, with a key or without', async (method, path, allow) => {
    for (const headers of [{ authorization: 'Bearer sk-team-a' }, {}]) {
      const res = await fetch(`${gateway.url}${path}`, { method, headers });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        `${path} accepts ${allow} only`,
      );
    }
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

describe('files and batches', () => {
  const sdk = (key: string) => new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  const notFound = { status: 404 };
  const fileIds = async (as: OpenAI) => (await as.files.list()).data.map((f) => f.id);
  const batchIds = async (as: OpenAI) => (await as.batches.list({ limit: 100 })).data.map((b) => b.id);
  const window = { endpoint: '/v1/chat/completions', completion_window: '24h' } as const;

  it('belong to the key that created them: another key gets 404 and lists none of them; the master key sees all', async () => {
    const [a, b, master] = [sdk('sk-team-a'), sdk('sk-team-b'), sdk('sk-master')];
    const file = await upload(a, chatLine({ custom_id: 'mine', model: 'gpt' }), 'a.jsonl');
    const theirs = await upload(b, chatLine({ custom_id: 'theirs', model: 'gpt' }), 'b.jsonl');

    await expect(b.files.retrieve(file.id)).rejects.toMatchObject({ ...notFound, code: 'file_not_found' });
    await expect(b.files.content(file.id)).rejects.toMatchObject(notFound);
    await expect(b.files.delete(file.id)).rejects.toMatchObject(notFound);
    await expect(b.batches.create({ input_file_id: file.id, ...window })).rejects.toMatchObject(notFound);
    expect(await fileIds(b)).toContain(theirs.id);
    expect(await fileIds(b)).not.toContain(file.id);
    expect(await fileIds(a)).toContain(file.id);
    expect(await fileIds(a)).not.toContain(theirs.id);
    expect(await fileIds(master)).toEqual(expect.arrayContaining([file.id, theirs.id]));
    expect(await master.files.retrieve(file.id)).toMatchObject({ id: file.id });

    const created = await a.batches.create({ input_file_id: file.id, ...window });
    await expect(b.batches.retrieve(created.id)).rejects.toMatchObject({
      ...notFound,
      code: 'batch_not_found',
    });
    expect(await batchIds(b)).not.toContain(created.id);
    expect(await batchIds(a)).toContain(created.id);
    expect(await batchIds(master)).toContain(created.id);

    const { batch } = await settle(a, created.id);
    expect(batch.status).toBe('completed');
    // The output file is the batch owner's too.
    expect((await download(a, batch.output_file_id)).map((l) => l.custom_id)).toEqual(['mine']);
    await expect(b.files.content(batch.output_file_id!)).rejects.toMatchObject(notFound);
    expect(await fileIds(b)).not.toContain(batch.output_file_id);
    expect((await download(master, batch.output_file_id)).map((l) => l.custom_id)).toEqual(['mine']);
    expect(await master.batches.retrieve(created.id)).toMatchObject({ status: 'completed' });

    // B's refused delete left A's file in place; A's own delete works.
    expect(await a.files.retrieve(file.id)).toMatchObject({ id: file.id });
    expect(await a.files.delete(file.id)).toMatchObject({ id: file.id, deleted: true });
  });

  it('only the owner or the master key cancels a batch', async () => {
    const [a, b, master] = [sdk('sk-team-a'), sdk('sk-team-b'), sdk('sk-master')];
    const lines = ['1', '2', '3', '4'].map((id) => chatLine({ custom_id: id, model: 'slow' }));
    const file = await upload(a, lines.join('\n'));
    const first = await a.batches.create({ input_file_id: file.id, ...window });
    await expect(b.batches.cancel(first.id)).rejects.toMatchObject(notFound);
    expect((await a.batches.retrieve(first.id)).status).toBe('in_progress');
    expect((await a.batches.cancel(first.id)).status).toMatch(/^cancell/);
    // The master key may create from A's file (the batch is then the master's) and cancel it.
    const second = await master.batches.create({ input_file_id: file.id, ...window });
    await expect(a.batches.retrieve(second.id)).rejects.toMatchObject(notFound);
    expect((await master.batches.cancel(second.id)).status).toMatch(/^cancell/);
    expect((await settle(a, first.id)).batch.status).toBe('cancelled');
    expect((await settle(master, second.id)).batch.status).toBe('cancelled');
  });

  it("an object stored without an owner (before ownership existed) is the master key's only", async () => {
    const legacy = await gateway.client.batches.files.put({
      purpose: 'batch',
      filename: 'old.jsonl',
      content: Buffer.from(chatLine({ custom_id: 'old', model: 'gpt' })),
    });
    await expect(sdk('sk-team-a').files.retrieve(legacy.id)).rejects.toMatchObject(notFound);
    expect(await fileIds(sdk('sk-team-a'))).not.toContain(legacy.id);
    expect(await sdk('sk-master').files.retrieve(legacy.id)).toMatchObject({ id: legacy.id });
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
