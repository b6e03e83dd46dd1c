// Runtime deployments: the model list changed through the gateway's LiteLLM admin routes reaches worker
// processes that were already running — added, key rotated, deleted — with credentials never readable.
import { SwitchyardClient } from '@switchyard/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, type GatewayStack, openaiDeployment, startGatewayStack } from '../integration/harness.ts';

const MASTER = 'sk-master-1234';
const SALT = 'salt-key-for-tests-only';
let stack: GatewayStack;

beforeAll(async () => {
  stack = await startGatewayStack({
    gateway: { masterKey: MASTER, saltKey: SALT },
    config: (fake) => ({
      model_list: [openaiDeployment(fake, 'gpt', 'gpt-a')],
      router_settings: { num_retries: 0 },
    }),
    fake: { rules: [{ match: { model: 'slow-model' }, latencyMs: 1_500 }] },
    workers: 2,
    env: { SWITCHYARD_SALT_KEY: SALT, FLEET_ENV_KEY: 'sk-from-env-kenv' },
  });
});

afterAll(async () => {
  await stack?.stop();
});

function admin(path: string, body?: unknown, key = MASTER) {
  return fetch(`${stack.gateway.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const fresh = (id: string, model: string, apiKey: string) => ({
  model_name: 'fresh',
  litellm_params: { model: `openai/${model}`, api_base: `${stack.fake.url}/v1`, api_key: apiKey },
  model_info: { id },
});

/** Sends until one succeeds (a worker may still be reloading), failing after `withinMs`. */
async function servedWithin(group: string, withinMs: number) {
  const started = Date.now();
  for (;;) {
    try {
      return await stack.client.completion(chat(group));
    } catch (err) {
      if (Date.now() - started > withinMs) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The `authorization` header the fake saw on its last request for `model` (credentials end in their last 4). */
function lastAuth(model: string): string | undefined {
  return stack.fake.requests.filter((r) => r.model === model).at(-1)?.headers.authorization;
}

describe('runtime deployments through the gateway', () => {
  it('refuses the admin routes without the master key, and an API key is not enough', async () => {
    const res = await admin('/model/new', fresh('x', 'x', 'sk-x'), 'sk-wrong');
    expect(res.status).toBe(401);
    expect((await admin('/model/info', undefined, 'nope')).status).toBe(401);
  });

  it('refuses an invalid deployment with a 400 naming the field, and changes nothing', async () => {
    const before = (await (await admin('/model/info')).json()) as { version: number };
    const res = await admin('/model/new', { model_name: 'fresh', litellm_params: { api_key: 'sk-1' } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { param: string; message: string } };
    expect(body.error.param).toBe('litellm_params.model');
    const gone = await admin('/model/delete', { id: 'no-such-id' });
    expect(gone.status).toBe(400);
    expect(((await gone.json()) as { error: { param: string } }).error.param).toBe('id');
    const after = (await (await admin('/model/info')).json()) as { version: number };
    expect(after.version).toBe(before.version);
  });

  it('a deployment added through /model/new serves a job within 2 s on running workers', async () => {
    await expect(stack.client.completion(chat('fresh'))).rejects.toThrow(/not configured/);
    const res = await admin('/model/new', fresh('fresh-1', 'fresh-model', 'sk-rotating-k001'));
    expect(res.status).toBe(200);
    const added = (await res.json()) as { model_info: { id: string }; litellm_params: object };
    expect(added.model_info.id).toBe('fresh-1');
    expect(JSON.stringify(added)).not.toContain('k001');

    const result = await servedWithin('fresh', 2_000);
    expect(result.routing?.deploymentId).toBe('fresh-1');
    expect(lastAuth('fresh-model')).toContain('k001');
    // Both workers serve it: enough jobs to reach each.
    const results = await Promise.all(
      Array.from({ length: 8 }, () => stack.client.completion(chat('fresh'))),
    );
    expect(results.every((r) => r.routing?.deploymentId === 'fresh-1')).toBe(true);
  });

  it('reading the list never returns a credential, and Redis holds it only encrypted', async () => {
    const text = await (await admin('/v1/model/info')).text();
    expect(text).toContain('fresh-1');
    expect(text).not.toContain('k001');
    expect(text).not.toContain('sk-test-secret');
    const stored = JSON.stringify(await stack.client.connection.hgetall('bull:switchyard:sy:models'));
    expect(stored).toContain('fresh-1');
    expect(stored).not.toContain('k001');
    expect(stored).not.toContain('sk-test-secret');
  });

  it('an updated key is used by the next attempt, raw (encrypted) or os.environ/NAME (each worker resolves it)', async () => {
    const res = await admin('/model/update', {
      litellm_params: { api_key: 'sk-rotating-k002' },
      model_info: { id: 'fresh-1' },
    });
    expect(res.status).toBe(200);
    await expect
      .poll(
        async () => {
          await stack.client.completion(chat('fresh'));
          return lastAuth('fresh-model');
        },
        { timeout: 2_000, interval: 50 },
      )
      .toContain('k002');

    await admin('/model/update', {
      litellm_params: { api_key: 'os.environ/FLEET_ENV_KEY' },
      model_info: { id: 'fresh-1' },
    });
    await expect
      .poll(
        async () => {
          await stack.client.completion(chat('fresh'));
          return lastAuth('fresh-model');
        },
        { timeout: 2_000, interval: 50 },
      )
      .toContain('kenv');
    // An env reference is not a secret: the list shows it.
    expect(await (await admin('/model/info')).text()).toContain('os.environ/FLEET_ENV_KEY');
  });

  it('a raw key is refused without a salt key, naming the field', async () => {
    const client = new SwitchyardClient({ redisUrl: stack.redis.url, saltKey: '' });
    try {
      await expect(client.addDeployment(fresh('raw-1', 'raw-model', 'sk-raw'))).rejects.toThrow(
        /litellm_params\.api_key: .*SWITCHYARD_SALT_KEY/,
      );
      expect((await client.getDeployments()).entries.map((e) => e.model_info.id)).not.toContain('raw-1');
    } finally {
      await client.close();
    }
  });

  it('a deleted deployment gets no new attempt; a job already in an attempt on it finishes there', async () => {
    await admin('/model/new', {
      ...fresh('slow-1', 'slow-model', 'os.environ/FLEET_ENV_KEY'),
      model_name: 'slow',
    });
    await servedWithin('slow', 2_000);
    const inFlight = stack.client.completion(chat('slow'));
    await expect.poll(() => stack.fake.requests.filter((r) => r.model === 'slow-model').length).toBe(2);
    const res = await admin('/model/delete', { id: 'slow-1' });
    expect(res.status).toBe(200);
    expect((await inFlight).routing?.deploymentId).toBe('slow-1');

    // Within a second every worker has dropped it: new jobs are refused and the provider sees nothing new.
    await new Promise((r) => setTimeout(r, 1_000));
    const seen = stack.fake.requests.filter((r) => r.model === 'slow-model').length;
    for (let i = 0; i < 6; i++)
      await expect(stack.client.completion(chat('slow'))).rejects.toThrow(/not configured/);
    expect(stack.fake.requests.filter((r) => r.model === 'slow-model').length).toBe(seen);
    // The file's deployment is untouched.
    expect((await stack.client.completion(chat('gpt'))).routing?.deploymentId).toBe('gpt-a');
  });
});
