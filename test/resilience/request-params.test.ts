// LiteLLM's per-request router parameters in the job body: num_retries, fallbacks, disable_fallbacks,
// timeout. They shape this job's routing and never reach the provider.
import { stateNamespace } from '@switchyard/core';
import { RoutingState } from '@switchyard/redis-state';
import { describe, expect, it } from 'vitest';
import { chat, openaiDeployment } from '../integration/harness.ts';
import { failureOf, requestsTo, useStack } from './support.ts';

const stack = useStack({
  config: (fake) => ({
    model_list: [
      openaiDeployment(fake, 'primary', 'primary-model'),
      openaiDeployment(fake, 'backup', 'backup-model'),
      openaiDeployment(fake, 'configured-fallback', 'configured-model'),
    ],
    router_settings: {
      num_retries: 3,
      allowed_fails: 1000,
      fallbacks: [{ primary: ['configured-fallback'] }],
    },
    switchyard_settings: { allow_mock_params: true },
  }),
  fake: { latencyMs: 1 },
});

const failPrimary = { match: { model: 'primary-model' }, fault: { kind: 'error', status: 500 } } as const;
const ROUTER_KEYS = ['num_retries', 'fallbacks', 'disable_fallbacks', 'timeout', 'request_timeout'];

describe('per-request router parameters', () => {
  it('num_retries in the request replaces the router’s for this job', async () => {
    const { fake, client } = stack();
    fake.script([
      failPrimary,
      { match: { model: 'configured-model' }, fault: { kind: 'error', status: 500 } },
    ]);
    await failureOf(client.completion({ ...chat('primary'), num_retries: 0, disable_fallbacks: true }));
    expect(requestsTo(fake, 'primary-model')).toHaveLength(1);
  });

  it('fallbacks in the request are used instead of the configured list', async () => {
    const { fake, client } = stack();
    fake.script([failPrimary]);
    const res = await client.completion({ ...chat('primary'), num_retries: 0, fallbacks: ['backup'] });
    expect(res.routing.modelGroup).toBe('backup');
    expect(requestsTo(fake, 'configured-model')).toHaveLength(0);
  });

  it('disable_fallbacks: true turns the configured fallbacks off', async () => {
    const { fake, client } = stack();
    fake.script([failPrimary]);
    const err = await failureOf(
      client.completion({ ...chat('primary'), num_retries: 0, disable_fallbacks: true }),
    );
    expect(err.type).toBe('InternalServerError');
    expect(requestsTo(fake, 'configured-model')).toHaveLength(0);
  });

  it('timeout (seconds) bounds each attempt', async () => {
    const { fake, client } = stack();
    fake.script([{ match: { model: 'backup-model' }, latencyMs: 3000 }]);
    const err = await failureOf(client.completion({ ...chat('backup'), timeout: 0.3, num_retries: 0 }));
    expect(err.type).toBe('Timeout');
  });

  it('never forwards router parameters to the provider, and rejects malformed ones', async () => {
    const { fake, client } = stack();
    await client.completion({ ...chat('backup'), num_retries: 1, fallbacks: ['primary'], timeout: 30 });
    const body = requestsTo(fake, 'backup-model').at(-1)?.body as Record<string, unknown>;
    for (const key of ROUTER_KEYS) expect(body).not.toHaveProperty(key);
    const err = await failureOf(client.completion({ ...chat('backup'), num_retries: 'many' }));
    expect(err.type).toBe('BadRequestError');
    expect(err.message).toContain('num_retries');
  });

  it('mock_response answers without calling the provider; an error name raises that error', async () => {
    const { fake, client } = stack();
    const res = await client.completion({ ...chat('backup'), mock_response: 'canned answer' });
    expect((res.choices as { message: { content: string } }[])[0]?.message.content).toBe('canned answer');
    expect(res.routing.deploymentId).toBe('backup-model');
    const err = await failureOf(
      client.completion({ ...chat('backup'), mock_response: 'litellm.RateLimitError', num_retries: 0 }),
    );
    expect(err.type).toBe('RateLimitError');
    expect(requestsTo(fake, 'backup-model')).toHaveLength(0);
  });

  it('mock_testing_fallbacks fails the requested group only, so its fallback serves', async () => {
    const { fake, client } = stack();
    const res = await client.completion({ ...chat('primary'), mock_testing_fallbacks: true, num_retries: 0 });
    expect(res.routing.modelGroup).toBe('configured-fallback');
    expect(res.routing.attempts[0]?.error?.type).toBe('InternalServerError');
    expect(requestsTo(fake, 'primary-model')).toHaveLength(0);
    expect(requestsTo(fake, 'configured-model')).toHaveLength(1);
  });

  it('a mocked outcome leaves no trace in routing state: no cooldown, no usage, nothing in flight', async () => {
    const { client, redis } = stack();
    const conn = redis.client();
    const state = new RoutingState(conn, { prefix: stateNamespace({}) });
    const read = async () => (await state.snapshot('backup', ['backup-model']))[0]!;
    try {
      const before = await read();
      for (let i = 0; i < 3; i++) {
        await failureOf(
          client.completion({ ...chat('backup'), mock_response: 'litellm.RateLimitError', num_retries: 0 }),
        );
      }
      await client.completion({ ...chat('backup'), mock_response: 'fine' });
      const after = await read();
      expect(after).toMatchObject({ cooldownUntilMs: 0, inflight: 0 });
      expect(after.rpmUsed).toBe(before.rpmUsed);
      expect(after.tpmUsed).toBe(before.tpmUsed);
    } finally {
      conn.disconnect();
    }
  });
});
