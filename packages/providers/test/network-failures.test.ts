// Failures without a usable HTTP answer: hangs, drips, resets, refused connections, caller aborts.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { deployment, request } from './deployment.ts';
import { useFakeProvider } from './fixture.ts';

const KEY = 'sk-secret-key-0123456789abcdef';

const f = useFakeProvider({ providers: { defaultTimeoutMs: 400 } });

function fail(p: Promise<unknown>) {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as { type: string; message: string; provider?: string; deploymentId?: string },
  );
}

describe('timeouts', () => {
  it('a server that never answers → Timeout after the deployment timeout, and the fake sees the client leave', async () => {
    f.fake.script([{ fault: { kind: 'hang' } }]);
    const err = await fail(f.providers.call(request(deployment('openai', f.fake.url, { timeoutMs: 300 }))));
    expect(err).toMatchObject({ type: 'Timeout', provider: 'openai', deploymentId: 'openai-dep' });
    expect(err.message).toContain('300 ms');
    await expect.poll(() => f.fake.stats().total.faults.hang).toBe(1);
  });

  it('the default timeout applies when the deployment sets none', async () => {
    f.fake.script([{ fault: { kind: 'hang' } }]);
    const err = await fail(f.providers.call(request(deployment('anthropic', f.fake.url))));
    expect(err.type).toBe('Timeout');
    expect(err.message).toContain('400 ms');
  });

  it('headers on time but a body dripping too slowly → Timeout (the deadline covers the whole body)', async () => {
    f.fake.script([{ fault: { kind: 'drip', bytesPerTick: 4, intervalMs: 50 } }]);
    const err = await fail(f.providers.call(request(deployment('azure', f.fake.url, { timeoutMs: 500 }))));
    expect(err.type).toBe('Timeout');
  });

  it('a slow drip that completes within the deadline still succeeds', async () => {
    f.fake.script([{ fault: { kind: 'drip', bytesPerTick: 200, intervalMs: 20 } }]);
    const res = await f.providers.call(request(deployment('openai', f.fake.url, { timeoutMs: 3_000 })));
    expect((res.body.choices as unknown[]).length).toBe(1);
  });

  it('the caller’s own AbortSignal.timeout counts as a Timeout', async () => {
    f.fake.script([{ fault: { kind: 'hang' } }]);
    const dep = deployment('openai', f.fake.url, { timeoutMs: 10_000 });
    const err = await fail(
      f.providers.call(request(dep, 'chat.completions', undefined, AbortSignal.timeout(100))),
    );
    expect(err.type).toBe('Timeout');
  });

  it('a caller abort for another reason (shutdown) → APIConnectionError', async () => {
    f.fake.script([{ latencyMs: 5_000 }]);
    const ac = new AbortController();
    const dep = deployment('openai', f.fake.url, { timeoutMs: 10_000 });
    const pending = fail(f.providers.call(request(dep, 'chat.completions', undefined, ac.signal)));
    setTimeout(() => ac.abort(new Error('worker shutting down')), 50);
    const err = await pending;
    expect(err.type).toBe('APIConnectionError');
    expect(err.message).toContain('worker shutting down');
  });
});

describe('connection failures', () => {
  it('connection reset before any byte → APIConnectionError', async () => {
    f.fake.script([{ fault: { kind: 'reset' } }]);
    const err = await fail(f.providers.call(request(deployment('openai', f.fake.url, { apiKey: KEY }))));
    expect(err.type).toBe('APIConnectionError');
    expect(err.message).not.toContain(KEY);
  });

  it('connection reset in the middle of the body → APIConnectionError', async () => {
    f.fake.script([{ fault: { kind: 'reset', afterBytes: 30 } }]);
    const err = await fail(f.providers.call(request(deployment('anthropic', f.fake.url))));
    expect(err.type).toBe('APIConnectionError');
  });

  it('connection refused → APIConnectionError naming the code', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const err = await fail(
      f.providers.call(request(deployment('openai', `http://127.0.0.1:${port}/v1`, { apiKey: KEY }))),
    );
    expect(err.type).toBe('APIConnectionError');
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).not.toContain(KEY);
  });

  it('a flapping provider recovers: failures then successes on the same pooled connections', async () => {
    f.fake.script([{ flapEvery: 2, fault: { kind: 'reset' } }]);
    const dep = deployment('openai', f.fake.url);
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(
        await f.providers.call(request(dep)).then(
          () => 'ok',
          (e: { type: string }) => e.type,
        ),
      );
    }
    expect(outcomes).toEqual(['ok', 'ok', 'APIConnectionError', 'APIConnectionError', 'ok', 'ok']);
  });
});
