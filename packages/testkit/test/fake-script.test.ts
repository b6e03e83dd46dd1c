// The fake's scripting and its own limits behave as documented, since other suites build on them.
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeProvider,
  type FakeProviderOptions,
  startFakeProvider,
  startFakeProviderPool,
} from '../src/index.ts';

let fake: FakeProvider | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(opts: FakeProviderOptions = {}): Promise<FakeProvider> {
  fake = await startFakeProvider(opts);
  return fake;
}

function chat(f: FakeProvider, model = 'm1', headers: Record<string, string> = {}) {
  return fetch(`${f.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-abcdefgh12345678', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

async function statuses(f: FakeProvider, n: number, model = 'm1'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await chat(f, model);
    await res.text();
    out.push(res.status);
  }
  return out;
}

describe('scripted rules', () => {
  it('failFirst fails the first N matching requests, then succeeds; other models are untouched', async () => {
    const f = await start({
      rules: [{ match: { model: 'm1' }, failFirst: 2, fault: { kind: 'error', status: 503 } }],
    });
    expect(await statuses(f, 4)).toEqual([503, 503, 200, 200]);
    expect(await statuses(f, 1, 'm2')).toEqual([200]);
    expect(f.stats().models.m1).toMatchObject({ requests: 4, ok: 2, errors: { 503: 2 } });
  });

  it('probability failures are reproducible for a given seed, and reset() replays them', async () => {
    const f = await start({ failRate: 0.5, seed: 42 });
    const first = await statuses(f, 20);
    expect(first).toContain(500);
    expect(first).toContain(200);
    f.reset();
    expect(await statuses(f, 20)).toEqual(first);
  });

  it('flapEvery alternates healthy and failing runs', async () => {
    const f = await start();
    f.script([{ flapEvery: 2, fault: { kind: 'error', status: 500 } }]);
    expect(await statuses(f, 6)).toEqual([200, 200, 500, 500, 200, 200]);
  });

  it('rules match on Azure deployment and api key', async () => {
    const f = await start({
      rules: [
        { match: { deployment: 'eu' }, fault: { kind: 'error', status: 429 } },
        { match: { apiKey: 'sk-bad-key-000000' }, fault: { kind: 'error', status: 401 } },
      ],
    });
    const azure = await fetch(`${f.url}/openai/deployments/eu/chat/completions?api-version=2024-10-21`, {
      method: 'POST',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(azure.status).toBe(429);
    expect(((await azure.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
    const bad = await chat(f, 'm1', { authorization: 'Bearer sk-bad-key-000000' });
    expect(bad.status).toBe(401);
    expect((await chat(f)).status).toBe(200);
  });

  it('latency is applied before answering', async () => {
    const f = await start({ latencyMs: 150 });
    const t0 = performance.now();
    expect((await chat(f)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });
});

describe('own rate-limit enforcement', () => {
  it('rpm over a sliding window answers 429 with retry-after and counts it', async () => {
    const f = await start({ rpm: 2, rateWindowMs: 300 });
    expect(await statuses(f, 3)).toEqual([200, 200, 429]);
    await new Promise((r) => setTimeout(r, 350));
    expect(await statuses(f, 1)).toEqual([200]);
    expect(f.stats().models.m1).toMatchObject({ requests: 4, ok: 3, rateLimited: 1, errors: { 429: 1 } });
  });

  it('maxConcurrent per model rejects the excess and records the peak seen', async () => {
    const f = await start({ modelLimits: { m1: { maxConcurrent: 2 } }, latencyMs: 200 });
    const results = await Promise.all([1, 2, 3].map(() => chat(f).then((r) => r.status)));
    expect(results.sort()).toEqual([200, 200, 429]);
    const m1 = f.stats().models.m1!;
    expect(m1.rateLimited).toBe(1);
    expect(m1.maxConcurrentSeen).toBe(3);
    const others = await Promise.all([1, 2, 3].map(() => chat(f, 'm2').then((r) => r.status)));
    expect(others).toEqual([200, 200, 200]);
  });
});

describe('request log', () => {
  it('records route, model and body with credentials redacted, capped to logLimit', async () => {
    const f = await start({ logLimit: 2 });
    await statuses(f, 3);
    expect(f.requests).toHaveLength(2);
    const last = f.requests.at(-1)!;
    expect(last).toMatchObject({ path: '/v1/chat/completions', model: 'm1', status: 200 });
    expect(last.route).toEqual({ provider: 'openai', endpoint: 'chat.completions' });
    expect(last.headers.authorization).toBe('***5678');
    expect(JSON.stringify(f.requests)).not.toContain('sk-abcdefgh12345678');
  });

  it('unknown routes are 404 and the health route answers', async () => {
    const f = await start({ name: 'alpha' });
    expect((await fetch(`${f.url}/v2/nothing`, { method: 'POST', body: '{}' })).status).toBe(404);
    const health = await fetch(`${f.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok', name: 'alpha' });
  });
});

describe('startFakeProviderPool', () => {
  it('starts distinct fakes and closes them all', async () => {
    const pool = await startFakeProviderPool(3);
    expect(new Set(pool.urls).size).toBe(3);
    const res = await chat(pool.providers[1]!);
    expect(res.headers.get('x-fake-provider')).toBe(pool.providers[1]!.name);
    await pool.close();
    await expect(fetch(`${pool.urls[0]}/health`)).rejects.toThrow();
  });
});
