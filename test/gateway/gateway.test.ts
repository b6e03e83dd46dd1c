// The HTTP gateway seen from the official `openai` SDK: real Redis, a real worker process, the fake provider.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { type RunningGateway, startGateway } from '@switchyard/gateway';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayStack, openaiDeployment, sdkError, startGatewayStack } from '../integration/harness.ts';

let stack: GatewayStack;

beforeAll(async () => {
  stack = await startGatewayStack({
    config: (fake) => ({
      model_list: [
        openaiDeployment(fake, 'gpt', 'gpt-a'),
        openaiDeployment(fake, 'instruct', 'gpt-3.5-turbo-instruct'),
        openaiDeployment(fake, 'embed', 'text-embedding-3-small'),
        openaiDeployment(fake, 'broken', 'broken-1'),
        openaiDeployment(fake, 'limited', 'limited-1'),
        openaiDeployment(fake, 'long', 'long-1'),
        openaiDeployment(fake, 'slow', 'slow-1'),
        // LiteLLM's tag_regex example: Claude Code's traffic (by User-Agent) to its own deployment.
        openaiDeployment(fake, 'sonnet', 'sonnet-claude-code', {
          tag_regex: ['^User-Agent: claude-code\\/'],
        }),
        openaiDeployment(fake, 'sonnet', 'sonnet-regular', { tags: ['default'] }),
      ],
      // One retry keeps the failure cases quick; cooldowns are not what this suite is about.
      router_settings: { num_retries: 1, allowed_fails: 1000, retry_policy: { RateLimitErrorRetries: 0 } },
    }),
    fake: {
      rules: [
        { match: { model: 'broken-1' }, fault: { kind: 'error', status: 500 } },
        { match: { model: 'limited-1' }, fault: { kind: 'rate-limit' } },
        { match: { model: 'long-1' }, fault: { kind: 'context-window' } },
        { match: { model: 'slow-1' }, latencyMs: 1_500 },
      ],
    },
    workers: 1,
  });
});

afterAll(async () => {
  await stack?.stop();
});

const hello = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hello' }] });

async function totalJobs(): Promise<number> {
  const counts = await stack.client.queue.getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe('successful calls through the OpenAI SDK', () => {
  it('chat completion: OpenAI body plus routing, x-switchyard headers, and the result readable by job id', async () => {
    const { data, response } = await stack.sdk.chat.completions.create(hello('gpt')).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.content).toEqual(expect.any(String));
    const routing = (data as unknown as { routing: { deploymentId: string; modelGroup: string } }).routing;
    expect(routing).toMatchObject({ deploymentId: 'gpt-a', modelGroup: 'gpt' });
    const jobId = response.headers.get('x-switchyard-job-id');
    expect(jobId).toEqual(expect.any(String));
    expect(response.headers.get('x-switchyard-deployment-id')).toBe('gpt-a');
    expect(response.headers.get('x-switchyard-model-group')).toBe('gpt');
    expect(response.headers.get('x-switchyard-attempts')).toBe('1');

    const late = await fetch(`${stack.gateway.url}/v1/jobs/${jobId}`);
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({ id: data.id, routing: { deploymentId: 'gpt-a' } });
  });

  it('text completion and embeddings route to their groups', async () => {
    const text = await stack.sdk.completions.create({ model: 'instruct', prompt: 'Say hi' });
    expect(text.choices[0]?.text).toEqual(expect.any(String));
    expect((text as unknown as { routing: { deploymentId: string } }).routing.deploymentId).toBe(
      'gpt-3.5-turbo-instruct',
    );
    // Explicit float: the SDK's default asks for base64, which the fake provider does not produce.
    const emb = await stack.sdk.embeddings.create({ model: 'embed', input: ['a', 'b'] });
    expect(emb.data).toHaveLength(2);
    expect(emb.data[0]?.embedding.length).toBeGreaterThan(0);
    expect((emb as unknown as { routing: { deploymentId: string } }).routing.deploymentId).toBe(
      'text-embedding-3-small',
    );
  });

  it('answers the same paths without the /v1 prefix', async () => {
    const res = await fetch(`${stack.gateway.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(hello('gpt')),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ object: 'chat.completion', routing: { modelGroup: 'gpt' } });
  });
});

describe('tag_regex: routing on the caller’s User-Agent', () => {
  const withAgent = (userAgent: string) =>
    new OpenAI({
      apiKey: 'unused',
      baseURL: `${stack.gateway.url}/v1`,
      maxRetries: 0,
      defaultHeaders: { 'User-Agent': userAgent },
    });
  const deploymentOf = (x: unknown) => (x as { routing: { deploymentId: string } }).routing.deploymentId;

  it('sends a User-Agent the pattern matches to its deployment, carried in the job as metadata.user_agent', async () => {
    const sdk = withAgent('claude-code/1.2.3');
    for (let i = 0; i < 3; i++) {
      const { data, response } = await sdk.chat.completions.create(hello('sonnet')).withResponse();
      expect(deploymentOf(data)).toBe('sonnet-claude-code');
      const job = await stack.client.queue.getJob(response.headers.get('x-switchyard-job-id')!);
      expect(job?.data.metadata).toMatchObject({ user_agent: 'claude-code/1.2.3' });
    }
    // Streamed, the same: the route is chosen before the first chunk.
    const { data: stream, response } = await sdk.chat.completions
      .create({ ...hello('sonnet'), stream: true })
      .withResponse();
    for await (const _chunk of stream);
    expect(response.headers.get('x-switchyard-deployment-id')).toBe('sonnet-claude-code');
  });

  it('sends any other User-Agent (the SDK’s own, another tool’s) to the `default` deployment', async () => {
    for (const sdk of [stack.sdk, withAgent('curl/8.5.0'), withAgent('xclaude-code/1.2.3')]) {
      for (let i = 0; i < 3; i++) {
        expect(deploymentOf(await sdk.chat.completions.create(hello('sonnet')))).toBe('sonnet-regular');
      }
    }
  });

  it('takes the User-Agent from the header, not from a metadata.user_agent in the body', async () => {
    const res = await stack.sdk.chat.completions.create({
      ...hello('sonnet'),
      metadata: { user_agent: 'claude-code/9.9.9' },
    });
    expect(deploymentOf(res)).toBe('sonnet-regular');
  });
});

describe('failures in OpenAI’s error shape, with the taxonomy’s status', () => {
  it('a provider 500 that exhausts retries is an InternalServerError (500) naming its job', async () => {
    const before = stack.fake.requests.filter((r) => r.model === 'broken-1').length;
    const err = await sdkError(stack.sdk.chat.completions.create(hello('broken')));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(500);
    expect(err.type).toBe('server_error');
    expect(err.message).toContain('InternalServerError:');
    // num_retries 1: the provider was called twice before the gateway answered.
    expect(stack.fake.requests.filter((r) => r.model === 'broken-1').length - before).toBe(2);
    const jobId = err.headers?.get('x-switchyard-job-id');
    expect(jobId).toEqual(expect.any(String));
    // Late readers see the same failure.
    const late = await fetch(`${stack.gateway.url}/v1/jobs/${jobId}`);
    expect(late.status).toBe(500);
    expect(((await late.json()) as { error: { message: string } }).error.message).toContain(
      'InternalServerError:',
    );
  });

  it('a provider 429 is the SDK’s RateLimitError', async () => {
    const err = await sdkError(stack.sdk.chat.completions.create(hello('limited')));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.code).toBe('rate_limit_exceeded');
  });

  it('a request without messages is a BadRequestError (400); a too-long prompt keeps OpenAI’s code', async () => {
    const bad = await sdkError(
      stack.sdk.chat.completions.create({
        model: 'gpt',
      } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming),
    );
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad.status).toBe(400);
    expect(bad.message).toContain('BadRequestError:');

    const long = await sdkError(stack.sdk.chat.completions.create(hello('long')));
    expect(long).toBeInstanceOf(OpenAI.BadRequestError);
    expect(long.code).toBe('context_length_exceeded');
    expect(long.message).toContain('ContextWindowExceededError:');
  });

  it('refuses bad JSON and unknown routes without enqueueing anything', async () => {
    const jobs = await totalJobs();
    const badJson = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { type: 'invalid_request_error' } });

    const unknown = await fetch(`${stack.gateway.url}/v1/fine_tuning/jobs`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      error: { message: expect.stringContaining('unknown route') },
    });
    expect(await fetch(`${stack.gateway.url}/v1/jobs/no-such-job`).then((r) => r.status)).toBe(404);
    expect(await totalJobs()).toBe(jobs);
  });
});

describe('a gateway with keys, a body cap and a short wait', () => {
  let strict: RunningGateway;

  beforeAll(async () => {
    strict = await startGateway({
      port: 0,
      redisUrl: stack.redis.url,
      apiKeys: ['sk-gw-one', 'sk-gw-two'],
      maxBodyBytes: 2_048,
      timeoutMs: 300,
    });
  });

  afterAll(async () => {
    await strict?.close();
  });

  const sdkWith = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${strict.url}/v1`, maxRetries: 0 });

  it('requires a configured Bearer key (401 in OpenAI’s shape without one); health stays open', async () => {
    const err = await sdkError(sdkWith('sk-wrong').chat.completions.create(hello('gpt')));
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.status).toBe(401);
    const missing = await fetch(`${strict.url}/v1/jobs/anything`);
    expect(missing.status).toBe(401);
    const ok = await sdkWith('sk-gw-two').chat.completions.create(hello('gpt'));
    expect(ok.object).toBe('chat.completion');
    expect((await fetch(`${strict.url}/health`)).status).toBe(200);
    const ready = await fetch(`${strict.url}/health/readiness`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('refuses a body over the cap with 413 before enqueueing', async () => {
    const jobs = await totalJobs();
    const err = await sdkError(sdkWith('sk-gw-one').chat.completions.create(hello('x'.repeat(5_000))));
    expect(err.status).toBe(413);
    expect(await totalJobs()).toBe(jobs);
  });

  it('answers 504 with the job id when the wait runs out; the job finishes and is fetched later', async () => {
    const err = await sdkError(sdkWith('sk-gw-one').chat.completions.create(hello('slow')));
    expect(err.status).toBe(504);
    const jobId = err.headers?.get('x-switchyard-job-id');
    expect(jobId).toEqual(expect.any(String));
    expect(err.message).toContain(jobId);

    const auth = { authorization: 'Bearer sk-gw-one' };
    const pending = await fetch(`${strict.url}/v1/jobs/${jobId}`, { headers: auth });
    expect(pending.status).toBe(202);
    expect(await pending.json()).toMatchObject({ id: jobId, status: expect.any(String) });

    let done: Response | undefined;
    for (let i = 0; i < 100 && done?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      done = await fetch(`${strict.url}/v1/jobs/${jobId}`, { headers: auth });
    }
    expect(done?.status).toBe(200);
    expect(done?.headers.get('x-switchyard-deployment-id')).toBe('slow-1');
    expect(await done?.json()).toMatchObject({
      object: 'chat.completion',
      routing: { deploymentId: 'slow-1' },
    });
  });
});

describe('shutdown', () => {
  it('close() answers requests still waiting after the drain period with 503 and their job id', async () => {
    const leaving = await startGateway({ port: 0, redisUrl: stack.redis.url, drainMs: 100 });
    const call = new OpenAI({
      apiKey: 'unused',
      baseURL: `${leaving.url}/v1`,
      maxRetries: 0,
    }).chat.completions
      .create(hello('slow'))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    // Let the request reach the queue before the gateway starts closing.
    while (((await stack.client.queue.getJobCounts('active')).active ?? 0) === 0) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await leaving.close();
    const err = (await call) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.status).toBe(503);
    const jobId = err.headers?.get('x-switchyard-job-id');
    expect(err.message).toContain(`/v1/jobs/${jobId}`);
    // The job itself was not abandoned: it completes for whoever asks next.
    expect((await stack.client.result(jobId!))?.routing.deploymentId).toBe('slow-1');
  });
});

describe('switchyard gateway (CLI)', () => {
  it('serves with keys from SWITCHYARD_GATEWAY_KEYS and exits 0 on SIGTERM', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['packages/cli/src/main.ts', 'gateway', '--port', '0', '--api-key', 'sk-flag'],
      {
        env: { ...process.env, REDIS_URL: stack.redis.url, SWITCHYARD_GATEWAY_KEYS: 'sk-env-a, sk-env-b' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const logged: string[] = [];
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          logged.push(line);
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'gateway listening' && entry.url) resolve(entry.url);
        });
        child.once('exit', (code) => reject(new Error(`gateway exited early (${code})`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${url}/v1`, maxRetries: 0 });
      expect((await sdkError(client('sk-nope').chat.completions.create(hello('gpt')))).status).toBe(401);
      expect((await client('sk-env-b').chat.completions.create(hello('gpt'))).object).toBe('chat.completion');
      expect((await client('sk-flag').chat.completions.create(hello('gpt'))).object).toBe('chat.completion');

      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      // Keys never reach the log.
      expect(logged.join('\n')).not.toMatch(/sk-(env|flag)/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
